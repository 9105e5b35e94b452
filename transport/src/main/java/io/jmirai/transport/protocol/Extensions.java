package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The type-length-value tail of HELLO and WELCOME, where the handshake grows without changing its fixed head. Each
 * entry, big-endian:
 *
 * <pre>
 *  0             2             4
 *  +-------------+-------------+------------------
 *  |    type     |   length    | value (length bytes) …
 *  +-------------+-------------+------------------
 * </pre>
 *
 * Entries follow each other up to the proof that ends the frame. A reader looks up the types it knows and skips the
 * rest, as TLS does with extensions; because the proofs cover the whole frame, nobody can add or strip an entry in
 * transit. A type appears at most once. Types are protocol: never renumber, only add (see {@link Handshake} for the
 * types in use). Immutable; entries keep their order, so a decoded tail encodes to the same bytes.
 */
public final class Extensions {
    /** No entries. */
    public static final Extensions NONE = new Extensions(new LinkedHashMap<>());
    /** Bytes before each value. */
    public static final int ENTRY_HEAD_LENGTH = 4;

    private final Map<Integer, byte[]> entries;

    private Extensions(LinkedHashMap<Integer, byte[]> entries) {
        this.entries = entries;
    }

    /** @return a builder for a new tail */
    public static Builder builder() {
        return new Builder(new LinkedHashMap<>());
    }

    /** @return a builder holding this tail's entries */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(entries));
    }

    /** @return the value of entry {@code type} (a copy), if present */
    public Optional<byte[]> get(int type) {
        byte[] v = entries.get(type);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** @return whether an entry of {@code type} is present */
    public boolean has(int type) {
        return entries.containsKey(type);
    }

    /** @return the entry types, in order */
    public Set<Integer> types() {
        return java.util.Collections.unmodifiableSet(entries.keySet());
    }

    /** @return bytes the entries take on the wire */
    public int encodedLength() {
        int n = 0;
        for (byte[] v : entries.values()) {
            n += ENTRY_HEAD_LENGTH + v.length;
        }
        return n;
    }

    /** Writes the entries to {@code out}. */
    public void encode(ByteBuf out) {
        for (Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            out.writeShort(e.getKey()).writeShort(e.getValue().length).writeBytes(e.getValue());
        }
    }

    /**
     * Reads exactly {@code length} bytes of entries from {@code in}.
     *
     * @param what the frame, for messages
     * @throws ProtocolException for a truncated entry or a repeated type
     */
    public static Extensions decode(ByteBuf in, int length, String what) {
        if (length < 0 || in.readableBytes() < length) {
            throw new ProtocolException("truncated " + what + ": extensions length=" + length);
        }
        if (length == 0) {
            return NONE;
        }
        int end = in.readerIndex() + length;
        LinkedHashMap<Integer, byte[]> entries = new LinkedHashMap<>();
        while (in.readerIndex() < end) {
            if (end - in.readerIndex() < ENTRY_HEAD_LENGTH) {
                throw new ProtocolException(
                        "truncated " + what + " extension header: remaining=" + (end - in.readerIndex()));
            }
            int type = in.readUnsignedShort();
            int n = in.readUnsignedShort();
            if (end - in.readerIndex() < n) {
                throw new ProtocolException("truncated " + what + " extension: type=0x" + Integer.toHexString(type)
                        + ", length=" + n + ", remaining=" + (end - in.readerIndex()));
            }
            byte[] value = new byte[n];
            in.readBytes(value);
            if (entries.putIfAbsent(type, value) != null) {
                throw new ProtocolException("repeated " + what + " extension: type=0x" + Integer.toHexString(type));
            }
        }
        return new Extensions(entries);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Extensions other) || !entries.keySet().equals(other.entries.keySet())) {
            return false;
        }
        return entries.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), other.entries.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return entries.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Extensions[");
        entries.forEach((t, v) -> b.append(b.length() > 11 ? ", " : "")
                .append("0x")
                .append(Integer.toHexString(t))
                .append('=')
                .append(v.length)
                .append(" bytes"));
        return b.append(']').toString();
    }

    /** Collects entries for a new tail. Not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<Integer, byte[]> entries;

        private Builder(LinkedHashMap<Integer, byte[]> entries) {
            this.entries = entries;
        }

        /**
         * Adds entry {@code type}.
         *
         * @throws IllegalArgumentException for a type outside 0..65535, a value over 65535 bytes, or a repeated type
         */
        public Builder put(int type, byte[] value) {
            if (type < 0 || type > 0xFFFF) {
                throw new IllegalArgumentException("type : " + type + " (expected: 0 to 65535)");
            }
            if (value.length > 0xFFFF) {
                throw new IllegalArgumentException("value length : " + value.length + " (expected: <= 65535)");
            }
            if (entries.putIfAbsent(type, value.clone()) != null) {
                throw new IllegalArgumentException("type : 0x" + Integer.toHexString(type) + " (already present)");
            }
            return this;
        }

        /** @return the tail */
        public Extensions build() {
            return entries.isEmpty() ? NONE : new Extensions(new LinkedHashMap<>(entries));
        }
    }
}
