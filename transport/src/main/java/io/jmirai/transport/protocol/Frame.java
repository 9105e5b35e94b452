package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One decoded frame: its header fields and its payload, a retained slice of the receive buffer (no copy). The frame
 * owns one reference to the payload; whoever handles the frame last releases it (it is a {@code ByteBufHolder}, so
 * {@code ReferenceCountUtil.release(frame)} does).
 */
public final class Frame extends DefaultByteBufHolder {
    private final FrameType type;
    private final int flags;
    private final long correlationId;

    /**
     * @param payload owned by the new frame
     */
    public Frame(FrameType type, int flags, long correlationId, ByteBuf payload) {
        super(payload);
        this.type = type;
        this.flags = flags;
        this.correlationId = correlationId;
    }

    /**
     * What a handler after the {@link FrameDecoder} reads: a frame, or a pipeline error.
     *
     * @return {@code msg} as a frame
     * @throws ProtocolException for anything else, which is released first
     */
    public static Frame from(Object msg) {
        if (msg instanceof Frame frame) {
            return frame;
        }
        io.netty.util.ReferenceCountUtil.release(msg);
        throw new ProtocolException("unexpected message: " + msg.getClass().getSimpleName());
    }

    /** @return the frame type */
    public FrameType type() {
        return type;
    }

    /** @return the flag bits */
    public int flags() {
        return flags;
    }

    /** @return the correlation id: a task id, a heartbeat sequence, or 0 */
    public long correlationId() {
        return correlationId;
    }

    /** @return the payload (owned by this frame) */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(type, flags, correlationId, content);
    }

    @Override
    public String toString() {
        return "Frame{type=" + type + ", flags=" + flags + ", correlationId=" + correlationId + ", payloadLength="
                + content().readableBytes() + "}";
    }
}
