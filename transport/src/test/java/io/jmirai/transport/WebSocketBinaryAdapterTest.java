package io.jmirai.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class WebSocketBinaryAdapterTest {
    @Test
    void shouldCutAFrameIntoBoundedMessagesWithoutCopyingAndReassembleIt() {
        byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(data.length).writeBytes(data);
        ByteBuf frame = FrameHeader.frame(ByteBufAllocator.DEFAULT, FrameType.TASK, 0, 7, payload);
        int total = frame.readableBytes();

        EmbeddedChannel sender = new EmbeddedChannel(new WebSocketBinaryAdapter());
        assertThat(sender.writeOutbound(frame)).isTrue();
        List<BinaryWebSocketFrame> messages = new ArrayList<>();
        for (Object m; (m = sender.readOutbound()) != null; ) {
            messages.add((BinaryWebSocketFrame) m);
        }
        assertThat(messages)
                .hasSize((total + WebSocketBinaryAdapter.MAX_MESSAGE - 1) / WebSocketBinaryAdapter.MAX_MESSAGE);
        assertThat(messages)
                .allSatisfy(
                        m -> assertThat(m.content().readableBytes()).isBetween(1, WebSocketBinaryAdapter.MAX_MESSAGE));

        EmbeddedChannel receiver = new EmbeddedChannel(
                new WebSocketBinaryAdapter(), new FrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
        for (BinaryWebSocketFrame m : messages) {
            receiver.writeInbound(m);
        }
        Frame decoded = receiver.readInbound();
        try {
            assertThat(decoded.type()).isEqualTo(FrameType.TASK);
            assertThat(decoded.correlationId()).isEqualTo(7);
            byte[] back = new byte[decoded.payload().readableBytes()];
            decoded.payload().readBytes(back);
            assertThat(back).isEqualTo(data);
        } finally {
            decoded.release();
        }
        assertThat(sender.finishAndReleaseAll()).isFalse();
        assertThat(receiver.finishAndReleaseAll()).isFalse();
    }
}
