package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The fixed 16-byte frame header, big-endian:
 *
 * <pre>
 *  0               4      5      6             8                              16
 *  +---------------+------+------+-------------+------------------------------+----------------
 *  | frame length  | ver  | type |    flags    |        correlation id        | payload …
 *  +---------------+------+------+-------------+------------------------------+----------------
 *  frame length = bytes after the length field (12 + payload length)
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class FrameHeader {
    /** The protocol version this code speaks. */
    public static final int VERSION = 1;
    /** Bytes in the header, including the length field. */
    public static final int LENGTH = 16;
    /** Bytes of the header counted in the frame length (all but the length field). */
    public static final int LENGTH_AFTER_LENGTH_FIELD = 12;
    /** Largest frame-length value allowed by the default limit: 256 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 256 * 1024 * 1024;
    /** Frame-length limit before a peer has authenticated: only small control frames pass. */
    public static final int HANDSHAKE_MAX_FRAME_LENGTH = 1024;

    /** Payloads up to this many bytes are copied behind the header by {@link #compactFrame}. */
    public static final int COMPACT_MAX_PAYLOAD = 512;

    private FrameHeader() {}

    /**
     * Writes a header into a new buffer.
     *
     * @param payloadLength bytes of payload that follow it
     */
    public static ByteBuf encode(
            ByteBufAllocator alloc, FrameType type, int flags, long correlationId, int payloadLength) {
        checkFlags(type, flags);
        ByteBuf header = alloc.ioBuffer(LENGTH, LENGTH);
        writeHeader(header, type, flags, correlationId, payloadLength);
        return header;
    }

    private static void checkFlags(FrameType type, int flags) {
        if ((flags & ~type.allowedFlags()) != 0) {
            throw new IllegalArgumentException("flags : 0x" + Integer.toHexString(flags) + " (not allowed for " + type
                    + ": allowed=0x" + Integer.toHexString(type.allowedFlags()) + ")");
        }
    }

    private static void writeHeader(ByteBuf out, FrameType type, int flags, long correlationId, int payloadLength) {
        out.writeInt(LENGTH_AFTER_LENGTH_FIELD + payloadLength);
        out.writeByte(VERSION);
        out.writeByte(type.code());
        out.writeShort(flags);
        out.writeLong(correlationId);
    }

    /**
     * Builds a whole frame without copying the payload: header and payload in one composite buffer.
     *
     * @param payload the payload; ownership passes to the returned buffer (may be {@code null} for none)
     * @return a buffer the caller owns; writing it to a channel hands it to Netty
     */
    public static ByteBuf frame(
            ByteBufAllocator alloc, FrameType type, int flags, long correlationId, ByteBuf payload) {
        int payloadLength = payload == null ? 0 : payload.readableBytes();
        ByteBuf header;
        try {
            header = encode(alloc, type, flags, correlationId, payloadLength);
        } catch (RuntimeException e) {
            if (payload != null) {
                payload.release();
            }
            throw e;
        }
        if (payload == null) {
            return header;
        }
        if (payloadLength == 0) {
            payload.release();
            return header;
        }
        return Unpooled.wrappedBuffer(header, payload);
    }

    /**
     * Builds a whole frame in one buffer when the payload is small (at most {@link #COMPACT_MAX_PAYLOAD} bytes: the
     * copy is cheaper than a second buffer, a composite and a two-part write), else as {@link #frame} does.
     *
     * @param payload the payload; ownership passes to this method (released here after a copy), may be {@code null}
     * @return a buffer the caller owns
     */
    public static ByteBuf compactFrame(
            ByteBufAllocator alloc, FrameType type, int flags, long correlationId, ByteBuf payload) {
        if (payload == null || payload.readableBytes() > COMPACT_MAX_PAYLOAD) {
            return frame(alloc, type, flags, correlationId, payload);
        }
        int payloadLength = payload.readableBytes();
        ByteBuf whole = null;
        try {
            checkFlags(type, flags);
            whole = alloc.ioBuffer(LENGTH + payloadLength, LENGTH + payloadLength);
            writeHeader(whole, type, flags, correlationId, payloadLength);
            whole.writeBytes(payload, payload.readerIndex(), payloadLength);
            return whole;
        } catch (RuntimeException e) {
            if (whole != null) {
                whole.release();
            }
            throw e;
        } finally {
            payload.release();
        }
    }
}
