package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s (header layout in {@link FrameHeader}). The payload of each frame is a
 * retained slice of the cumulation buffer: no copy, one reference, owned by the next handler.
 *
 * <p>The length is checked before anything of that size is accumulated: a frame longer than the limit, a version
 * other than {@link FrameHeader#VERSION}, an unknown type or a reserved flag bit raise a {@link ProtocolException};
 * after that the decoder discards everything it receives, and the connection's handler closes it.
 *
 * <p>The limit starts small ({@link FrameHeader#HANDSHAKE_MAX_FRAME_LENGTH}) and is raised with
 * {@link #maxFrameLength(int)} once the peer has authenticated. Not thread-safe: confined to the channel's event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Largest frame whose buffer is sized at once from its length field; larger ones grow by doubling. */
    static final int PRESIZE_LIMIT = 64 * 1024 * 1024;

    private int maxFrameLength;
    private boolean failed;
    private int pendingFrameBytes; // 4 + length of the frame being assembled, or 0

    /** @param maxFrameLength the initial limit on the frame-length field */
    public FrameDecoder(int maxFrameLength) {
        maxFrameLength(maxFrameLength);
        // A large frame arrives in many reads: rather than letting the cumulation double (copying what it holds each
        // time), size it once for the whole frame when the merge would have to grow it anyway.
        setCumulator((alloc, cumulation, in) -> {
            int pending = pendingFrameBytes;
            if (pending > 0
                    && pending <= PRESIZE_LIMIT
                    && cumulation.isReadable()
                    && cumulation.writableBytes() < in.readableBytes()) {
                ByteBuf sized = alloc.buffer(Math.max(pending, cumulation.readableBytes() + in.readableBytes()));
                try {
                    sized.writeBytes(cumulation).writeBytes(in);
                    return sized;
                } finally {
                    cumulation.release();
                    in.release();
                }
            }
            return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
        });
    }

    /** Sets the limit on the frame-length field (bytes after the length field). */
    public void maxFrameLength(int maxFrameLength) {
        if (maxFrameLength < FrameHeader.LENGTH_AFTER_LENGTH_FIELD) {
            throw new IllegalArgumentException("maxFrameLength : " + maxFrameLength + " (expected: >= "
                    + FrameHeader.LENGTH_AFTER_LENGTH_FIELD + ")");
        }
        this.maxFrameLength = maxFrameLength;
    }

    /** @return the current limit */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        long length = in.getUnsignedInt(start);
        if (length > maxFrameLength) {
            fail(in, "frame too long: length=" + length + ", maxFrameLength=" + maxFrameLength);
        }
        if (length < FrameHeader.LENGTH_AFTER_LENGTH_FIELD) {
            fail(in, "frame too short: length=" + length);
        }
        if (in.readableBytes() < FrameHeader.LENGTH) {
            return;
        }
        int version = in.getUnsignedByte(start + 4);
        if (version != FrameHeader.VERSION) {
            fail(in, "unsupported protocol version: version=" + version + ", expected=" + FrameHeader.VERSION);
        }
        FrameType type;
        try {
            type = FrameType.fromCode(in.getUnsignedByte(start + 5));
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        int flags = in.getUnsignedShort(start + 6);
        if ((flags & ~type.allowedFlags()) != 0) {
            fail(in, "reserved flag bits set: type=" + type + ", flags=0x" + Integer.toHexString(flags));
        }
        if (in.readableBytes() < 4 + length) {
            pendingFrameBytes = (int) (4 + length);
            return;
        }
        pendingFrameBytes = 0;
        long correlationId = in.getLong(start + 8);
        in.skipBytes(FrameHeader.LENGTH);
        ByteBuf payload = in.readRetainedSlice((int) length - FrameHeader.LENGTH_AFTER_LENGTH_FIELD);
        out.add(new Frame(type, flags, correlationId, payload));
    }

    private void fail(ByteBuf in, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new ProtocolException(message);
    }
}
