package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The frames of remote class loading ({@link Capability#CLASS_LOADING}), sent only on a connection that negotiated
 * it. A daemon that cannot load a class asks with a CLASS_REQUEST; the host answers with a CLASS_BYTES of the same
 * correlation id (the daemon's request id). Big-endian:
 *
 * <pre>
 * CLASS_REQUEST (daemon → host), correlation id = request id
 *  0                8      10
 *  +----------------+------+---------------------------+
 *  |    task id     | len  | binary name (len, UTF-8)  |
 *  +----------------+------+---------------------------+
 *  task id   the task the daemon was running when it needed the class (the host serves from that task's class
 *            loader while the task is in flight on the connection), or 0 for none
 *  len       1 to {@link #MAX_NAME_BYTES}; the name must pass {@link BinaryNames#problem}
 *
 * CLASS_BYTES (host → daemon), correlation id = the request's
 *  flags = 0                 : payload = the class file, 1 to {@link #MAX_CLASS_BYTES} bytes
 *  flags = CLASS_NOT_FOUND   : payload = why not, UTF-8, at most {@link #MAX_REASON_BYTES} bytes
 * </pre>
 *
 * Every decoder checks lengths before it allocates and throws {@link ProtocolException} on anything malformed, which
 * closes the connection. Stateless; thread-safe.
 */
public final class ClassFrames {
    /** The longest binary name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;
    /** The largest class file served: 4 MiB (javac's largest practical classes are far smaller). */
    public static final int MAX_CLASS_BYTES = 4 * 1024 * 1024;
    /** The longest not-found reason, in UTF-8 bytes (longer reasons are cut). */
    public static final int MAX_REASON_BYTES = 512;

    private ClassFrames() {}

    /**
     * A daemon's request for a class.
     *
     * @param taskId the task that needed it, or 0
     * @param name the binary name
     */
    public record ClassRequest(long taskId, String name) {
        /** Checks the fields. */
        public ClassRequest {
            Objects.requireNonNull(name, "name");
        }

        /**
         * Decodes a CLASS_REQUEST payload; the name is returned as sent, for the host to check with
         * {@link BinaryNames#problem} (a bad name gets a not-found answer, not a closed connection).
         *
         * @throws ProtocolException if the payload is malformed or the name longer than {@link #MAX_NAME_BYTES}
         */
        public static ClassRequest decode(ByteBuf in) {
            if (in.readableBytes() < 10) {
                throw new ProtocolException("class request too short: length=" + in.readableBytes());
            }
            long taskId = in.readLong();
            int len = in.readUnsignedShort();
            if (len == 0 || len > MAX_NAME_BYTES) {
                throw new ProtocolException("class request name length out of range: length=" + len
                        + " (expected: 1 to " + MAX_NAME_BYTES + ")");
            }
            if (in.readableBytes() != len) {
                throw new ProtocolException(
                        "class request length mismatch: nameLength=" + len + ", remaining=" + in.readableBytes());
            }
            String name = in.readCharSequence(len, StandardCharsets.UTF_8).toString();
            return new ClassRequest(taskId, name);
        }

        /** @return the whole CLASS_REQUEST frame, correlation id {@code requestId}; the caller owns it */
        public ByteBuf frame(ByteBufAllocator alloc, long requestId) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            if (utf8.length == 0 || utf8.length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException(
                        "name : " + utf8.length + " bytes (expected: 1 to " + MAX_NAME_BYTES + ")");
            }
            ByteBuf payload = alloc.buffer(10 + utf8.length);
            payload.writeLong(taskId).writeShort(utf8.length).writeBytes(utf8);
            return FrameHeader.frame(alloc, FrameType.CLASS_REQUEST, 0, requestId, payload);
        }
    }

    /**
     * The host's answer: the class file's bytes, or why it is not served.
     *
     * @param bytes the class file, or null if not found
     * @param notFound why not, or null if found
     */
    public record ClassAnswer(byte[] bytes, String notFound) {
        /** Checks that exactly one field is set. */
        public ClassAnswer {
            if ((bytes == null) == (notFound == null)) {
                throw new IllegalArgumentException("exactly one of bytes and notFound must be set");
            }
        }

        /** @return an answer carrying a class file */
        public static ClassAnswer found(byte[] bytes) {
            return new ClassAnswer(Objects.requireNonNull(bytes, "bytes"), null);
        }

        /** @return an answer saying the class is not served, and why */
        public static ClassAnswer notFound(String reason) {
            return new ClassAnswer(null, Objects.requireNonNull(reason, "reason"));
        }

        /** @return whether the host sent the class */
        public boolean isFound() {
            return bytes != null;
        }

        /**
         * Decodes a CLASS_BYTES frame's payload.
         *
         * @param flags the frame's flags
         * @throws ProtocolException if the payload is empty, too long, or not a class file
         */
        public static ClassAnswer decode(int flags, ByteBuf in) {
            int len = in.readableBytes();
            if ((flags & FrameType.Flags.CLASS_NOT_FOUND) != 0) {
                if (len > MAX_REASON_BYTES) {
                    throw new ProtocolException(
                            "class not-found reason too long: length=" + len + ", max=" + MAX_REASON_BYTES);
                }
                return notFound(in.readCharSequence(len, StandardCharsets.UTF_8).toString());
            }
            if (len < 4 || len > MAX_CLASS_BYTES) {
                throw new ProtocolException(
                        "class bytes length out of range: length=" + len + " (expected: 4 to " + MAX_CLASS_BYTES + ")");
            }
            if (in.getInt(in.readerIndex()) != 0xCAFEBABE) {
                throw new ProtocolException("class bytes are not a class file (no 0xCAFEBABE)");
            }
            return found(ByteBufUtil.getBytes(in));
        }

        /** @return the whole CLASS_BYTES frame, correlation id {@code requestId}; the caller owns it */
        public ByteBuf frame(ByteBufAllocator alloc, long requestId) {
            if (bytes != null) {
                if (bytes.length > MAX_CLASS_BYTES) {
                    throw new IllegalArgumentException(
                            "bytes : " + bytes.length + " (expected: <= " + MAX_CLASS_BYTES + ")");
                }
                return FrameHeader.frame(
                        alloc, FrameType.CLASS_BYTES, 0, requestId, io.netty.buffer.Unpooled.wrappedBuffer(bytes));
            }
            byte[] reason = cut(notFound);
            return FrameHeader.frame(
                    alloc,
                    FrameType.CLASS_BYTES,
                    FrameType.Flags.CLASS_NOT_FOUND,
                    requestId,
                    alloc.buffer(reason.length).writeBytes(reason));
        }

        private static byte[] cut(String reason) {
            byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
            if (utf8.length <= MAX_REASON_BYTES) {
                return utf8;
            }
            int n = MAX_REASON_BYTES;
            while (n > 0 && (utf8[n] & 0xC0) == 0x80) { // never cut a character in half
                n--;
            }
            return java.util.Arrays.copyOf(utf8, n);
        }
    }
}
