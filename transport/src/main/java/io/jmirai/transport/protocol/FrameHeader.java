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

    private FrameHeader() {}

    /**
     * Writes a header into a new buffer.
     *
     * @param payloadLength bytes of payload that follow it
     */
    public static ByteBuf encode(
            ByteBufAllocator alloc, FrameType type, int flags, long correlationId, int payloadLength) {
        if ((flags & ~type.allowedFlags()) != 0) {
            throw new IllegalArgumentException("flags : 0x" + Integer.toHexString(flags) + " (not allowed for " + type
                    + ": allowed=0x" + Integer.toHexString(type.allowedFlags()) + ")");
        }
        ByteBuf header = alloc.ioBuffer(LENGTH, LENGTH);
        header.writeInt(LENGTH_AFTER_LENGTH_FIELD + payloadLength);
        header.writeByte(VERSION);
        header.writeByte(type.code());
        header.writeShort(flags);
        header.writeLong(correlationId);
        return header;
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
}
