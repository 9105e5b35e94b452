package io.jmirai.transport.protocol;

/**
 * What a connection's handshake settled: the protocol version both sides speak and the capabilities both advertised.
 * Each side makes one after the handshake and consults it before using an optional feature, sending a frame type that
 * needs a capability, or accepting one. Immutable.
 *
 * <p>The rule for frame types: a frame type that {@link FrameType#requires() requires} a capability is sent only on a
 * connection that negotiated it ({@link #canSend}); one that arrives on a connection that did not is a protocol error
 * ({@link #checkReceived}), and so is a type code this side does not know at all ({@link FrameType#fromCode}), since
 * this side cannot have advertised its capability. Nothing new is ever fatal by surprise: an old peer never advertises
 * a new capability, so a new peer never sends it the new frames.
 *
 * @param version the protocol version of the connection ({@link Handshake#PROTOCOL_VERSION} or older)
 * @param capabilities the capabilities both sides advertised
 */
public record Negotiated(int version, Capabilities capabilities) {
    /** Checks the fields. */
    public Negotiated {
        java.util.Objects.requireNonNull(capabilities, "capabilities");
    }

    /**
     * @return what the handshake of {@code hello} and {@code welcome} settled: WELCOME's version (the host chose it),
     *     and the capabilities in both
     * @throws ProtocolException if the host chose a version this side does not speak
     */
    public static Negotiated of(Handshake.Hello hello, Handshake.Welcome welcome) {
        int v = welcome.version();
        if (v < Handshake.MIN_PROTOCOL_VERSION || v > hello.version()) {
            throw new ProtocolException("host chose a protocol version this daemon does not speak: version=" + v
                    + ", supported=" + Handshake.MIN_PROTOCOL_VERSION + ".." + hello.version());
        }
        return new Negotiated(v, hello.capabilities().and(welcome.capabilities()));
    }

    /** @return whether both sides advertised {@code capability} */
    public boolean has(Capability capability) {
        return capabilities.has(capability);
    }

    /** @return whether frames of {@code type} may be sent on this connection */
    public boolean canSend(FrameType type) {
        return capabilities.containsAll(type.requires());
    }

    /**
     * Checks a received frame's type against what the connection negotiated.
     *
     * @throws ProtocolException if the type needs a capability this connection did not negotiate
     */
    public void checkReceived(FrameType type) {
        checkReceived(type.name(), type.requires());
    }

    void checkReceived(String type, Capabilities requires) {
        if (!capabilities.containsAll(requires)) {
            throw new ProtocolException("frame type not negotiated on this connection: type=" + type + ", requires="
                    + requires + ", negotiated=" + capabilities
                    + " (a peer must send it only after both sides advertised it)");
        }
    }
}
