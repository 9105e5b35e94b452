package io.jmirai.transport.protocol;

/**
 * A set of {@link Capability capabilities}: 64 bits on the wire, bit {@code n} for the capability with
 * {@link Capability#bit()} {@code n}. A peer may advertise bits this side does not know (a newer peer); they are
 * kept, and drop out of the {@link #and intersection} both sides use. Immutable.
 *
 * @param bits the set's bits
 */
public record Capabilities(long bits) {
    /** The empty set. */
    public static final Capabilities NONE = new Capabilities(0);

    /** @return the set of {@code capabilities} */
    public static Capabilities of(Capability... capabilities) {
        long bits = 0;
        for (Capability c : capabilities) {
            bits |= c.mask();
        }
        return new Capabilities(bits);
    }

    /**
     * @return every feature this code implements: what a side advertises by default; roles ({@link Capability#CLIENT})
     *     are left out, a client adds its own
     */
    public static Capabilities supported() {
        return new Capabilities(of(Capability.values()).bits & ~Capability.CLIENT.mask());
    }

    /** @return whether the set holds {@code capability} */
    public boolean has(Capability capability) {
        return (bits & capability.mask()) != 0;
    }

    /** @return whether the set holds every bit of {@code other} */
    public boolean containsAll(Capabilities other) {
        return (bits & other.bits) == other.bits;
    }

    /** @return the capabilities in both sets: what two peers that advertised them may use */
    public Capabilities and(Capabilities other) {
        return new Capabilities(bits & other.bits);
    }

    /** @return this set plus {@code capability} */
    public Capabilities with(Capability capability) {
        return new Capabilities(bits | capability.mask());
    }

    /** @return this set without {@code capability} */
    public Capabilities without(Capability capability) {
        return new Capabilities(bits & ~capability.mask());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        long rest = bits;
        for (Capability c : Capability.values()) {
            if (has(c)) {
                b.append(b.length() > 1 ? ", " : "").append(c);
                rest &= ~c.mask();
            }
        }
        if (rest != 0) {
            b.append(b.length() > 1 ? ", " : "").append("unknown=0x").append(Long.toHexString(rest));
        }
        return b.append(']').toString();
    }
}
