package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Splits the byte stream into {@link Frame}s (header layout in {@link FrameHeader}). The payload of each frame is a
 * retained slice of the cumulation buffer: no copy, one reference, owned by the next handler.
 *
 * <p>The length is checked before anything of that size is accumulated: a frame longer than the limit, a version
 * other than {@link FrameHeader#VERSION}, an unknown type or a reserved flag bit raise a {@link ProtocolException};
 * after that the decoder discards everything it receives, and the connection's handler closes it.
 *
 * <p>Memory follows what has arrived, not what a header declares: while a frame is assembled its buffer grows to at
 * most twice the bytes received (or those plus {@value #GROWTH_STEP}), so a header declaring 64 MiB followed by 8 KiB
 * holds about 16 KiB. A frame must also arrive within a deadline counted from its first byte:
 * {@link #DEFAULT_FRAME_DEADLINE} plus one second per {@value #MIN_BYTES_PER_SECOND} bytes of its length; a frame
 * trickled in slower raises a {@link ProtocolException} (fired down the pipeline, so the connection's handler closes
 * it).
 *
 * <p>The limit starts small ({@link FrameHeader#HANDSHAKE_MAX_FRAME_LENGTH}) and is raised with
 * {@link #maxFrameLength(int)} once the peer has authenticated. Not thread-safe: confined to the channel's event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** The smallest growth of a frame's buffer beyond what has arrived. */
    static final int GROWTH_STEP = 64 * 1024;
    /** The time every frame has to arrive, whatever its length. */
    public static final Duration DEFAULT_FRAME_DEADLINE = Duration.ofSeconds(30);
    /** The slowest rate a long frame may arrive at: each this many bytes add one second to the deadline. */
    public static final long MIN_BYTES_PER_SECOND = 256 * 1024;

    private final long baseDeadlineNanos;
    private int maxFrameLength;
    private boolean failed;
    private int pendingFrameBytes; // 4 + length of the frame being assembled, or 0
    private boolean assembling; // part of a frame has arrived and the rest has not
    private long frameStartNanos; // when the first byte of the frame being assembled arrived
    private ScheduledFuture<?> deadline;
    private ChannelHandlerContext context;

    /** @param maxFrameLength the initial limit on the frame-length field */
    public FrameDecoder(int maxFrameLength) {
        this(maxFrameLength, DEFAULT_FRAME_DEADLINE);
    }

    /**
     * @param maxFrameLength the initial limit on the frame-length field
     * @param frameDeadline the time any frame has to arrive (plus one second per {@value #MIN_BYTES_PER_SECOND}
     *     bytes of its length)
     */
    public FrameDecoder(int maxFrameLength, Duration frameDeadline) {
        maxFrameLength(maxFrameLength);
        if (frameDeadline.isNegative() || frameDeadline.isZero()) {
            throw new IllegalArgumentException("frameDeadline : " + frameDeadline + " (expected: > 0)");
        }
        this.baseDeadlineNanos = frameDeadline.toNanos();
        // A large frame arrives in many reads: rather than letting the cumulation grow by small steps (copying what it
        // holds each time), grow it geometrically towards the frame's length, but never far past what has arrived.
        setCumulator((alloc, cumulation, in) -> {
            int pending = pendingFrameBytes;
            int arrived = cumulation.readableBytes() + in.readableBytes();
            if (pending > 0 && cumulation.isReadable() && cumulation.writableBytes() < in.readableBytes()) {
                int capacity = (int) Math.min(pending, Math.max(2L * arrived, (long) arrived + GROWTH_STEP));
                ByteBuf sized = alloc.buffer(Math.max(capacity, arrived));
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

    /** @return the capacity of the buffer holding the frame being assembled (for tests) */
    int cumulationCapacity() {
        ByteBuf b = internalBuffer();
        return b == null ? 0 : b.capacity();
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
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int produced = out.size();
        decodeFrame(ctx, in, out);
        if (out.size() > produced) {
            assembling = false; // that frame is done; a partial one after it starts its own clock
        }
        if (in.isReadable()) {
            startClock(ctx); // part of a frame is here: the rest must follow in time
        } else {
            assembling = false;
        }
    }

    /** One timer at most, re-armed by its own check, so a stream of frames split across reads costs no scheduling. */
    private void startClock(ChannelHandlerContext ctx) {
        if (!assembling) {
            assembling = true;
            frameStartNanos = ctx.executor().ticker().nanoTime();
        }
        if (deadline == null) {
            deadline = ctx.executor().schedule(this::checkDeadline, baseDeadlineNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelDeadline() {
        assembling = false;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void checkDeadline() {
        ChannelHandlerContext ctx = context;
        deadline = null;
        if (!assembling
                || failed
                || ctx == null
                || ctx.isRemoved()
                || !ctx.channel().isActive()) {
            return;
        }
        long allowed = baseDeadlineNanos + TimeUnit.SECONDS.toNanos(pendingFrameBytes / MIN_BYTES_PER_SECOND);
        long elapsed = ctx.executor().ticker().nanoTime() - frameStartNanos;
        if (elapsed < allowed) { // a later frame, or a long one whose length earned it more time
            deadline = ctx.executor().schedule(this::checkDeadline, allowed - elapsed, TimeUnit.NANOSECONDS);
            return;
        }
        failed = true;
        ByteBuf held = internalBuffer();
        int received = held.readableBytes();
        held.skipBytes(received);
        ctx.fireExceptionCaught(new ProtocolException("frame not completed in time: length="
                + (pendingFrameBytes > 0 ? pendingFrameBytes - 4 : -1) + ", received=" + received + ", deadline="
                + Duration.ofNanos(allowed)));
    }

    private void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
