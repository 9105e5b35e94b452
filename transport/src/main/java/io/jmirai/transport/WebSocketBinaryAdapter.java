package io.jmirai.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * Carries the jmirai byte stream in binary WebSocket messages. Outbound buffers are cut into messages of at most
 * {@link #MAX_MESSAGE} bytes (retained slices, no copy), so both sides can bound WebSocket messages tightly whatever
 * the jmirai frame size; inbound messages pass on as their content. A jmirai frame may span messages, which is why
 * the same {@code FrameDecoder} runs after this adapter. Ownership stays single: the codec base class releases the
 * original message. Confined to the channel's event loop.
 */
public final class WebSocketBinaryAdapter extends MessageToMessageCodec<BinaryWebSocketFrame, ByteBuf> {
    /** Largest WebSocket message payload sent or accepted: 64 KiB. */
    public static final int MAX_MESSAGE = 64 * 1024;

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        int index = msg.readerIndex();
        int end = msg.writerIndex();
        while (index < end) {
            int length = Math.min(MAX_MESSAGE, end - index);
            out.add(new BinaryWebSocketFrame(msg.retainedSlice(index, length)));
            index += length;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, BinaryWebSocketFrame frame, List<Object> out) {
        out.add(frame.content().retain());
    }
}
