package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The trace context a host carries with a task, so that the daemon's spans join the host's trace: an opaque context
 * string (for OpenTelemetry, a W3C {@code traceparent}) and the host's id of the daemon the task went to. It is the
 * prefix of a TASK frame's payload when the frame has {@link FrameType.Flags#TASK_TRACE_CONTEXT}, which a host sets
 * only on a connection that negotiated {@link Capability#TRACE_CONTEXT}; the task's own bytes follow unchanged.
 *
 * <pre>
 *  0      1                 1+n    2+n                    2+n+m
 *  +------+-----------------+------+----------------------+--------------------
 *  |  n   | context (n B)   |  m   | daemon id (m B)      | the task (Kryo) …
 *  +------+-----------------+------+----------------------+--------------------
 *  n, m: unsigned bytes; both strings printable ASCII (0x20 to 0x7e)
 * </pre>
 *
 * Immutable.
 *
 * @param context the carried context, 1 to 255 printable ASCII characters
 * @param daemonId the host's id of the daemon (its status row), 0 to 255 printable ASCII characters
 */
public record TaskTrace(String context, String daemonId) {
    /** The longest prefix: what a host reserves for it below the frame limit. */
    public static final int MAX_LENGTH = 2 + 255 + 255;

    /** Checks the fields. */
    public TaskTrace {
        check("context", context, 1);
        check("daemonId", daemonId, 0);
    }

    /** @return whether {@code s} can be carried as a context: 1 to 255 printable ASCII characters */
    public static boolean isValidContext(String s) {
        return s != null && !s.isEmpty() && s.length() <= 255 && printable(s);
    }

    private static void check(String name, String s, int min) {
        Objects.requireNonNull(s, name);
        if (s.length() < min || s.length() > 255 || !printable(s)) {
            throw new IllegalArgumentException(
                    name + " : " + s.length() + " characters (expected: " + min + " to 255 printable ASCII)");
        }
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** @return the prefix's bytes, in a new buffer owned by the caller */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(2 + context.length() + daemonId.length());
        b.writeByte(context.length()).writeCharSequence(context, StandardCharsets.US_ASCII);
        b.writeByte(daemonId.length()).writeCharSequence(daemonId, StandardCharsets.US_ASCII);
        return b;
    }

    /**
     * Reads the prefix off the front of a TASK payload; the reader index is left at the task's first byte.
     *
     * @throws ProtocolException if the payload is too short or a string is not printable ASCII
     */
    public static TaskTrace decode(ByteBuf payload) {
        String context = readString(payload, "context");
        String daemonId = readString(payload, "daemonId");
        if (context.isEmpty()) {
            throw new ProtocolException("malformed task trace context: empty context");
        }
        return new TaskTrace(context, daemonId);
    }

    private static String readString(ByteBuf payload, String name) {
        if (!payload.isReadable()) {
            throw new ProtocolException("truncated task trace context: no length for " + name);
        }
        int n = payload.readUnsignedByte();
        if (payload.readableBytes() < n) {
            throw new ProtocolException(
                    "truncated task trace context: " + name + " length=" + n + ", readable=" + payload.readableBytes());
        }
        int start = payload.readerIndex();
        for (int i = start; i < start + n; i++) {
            byte c = payload.getByte(i);
            if (c < 0x20 || c > 0x7e) {
                throw new ProtocolException("malformed task trace context: " + name + " byte=0x"
                        + Integer.toHexString(c & 0xff) + " (expected: printable ASCII)");
            }
        }
        return payload.readCharSequence(n, StandardCharsets.US_ASCII).toString();
    }
}
