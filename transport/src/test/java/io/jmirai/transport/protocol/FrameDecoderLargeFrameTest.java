package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Large frames in many reads: the cumulation is sized once from the length field, and the bytes come out intact. */
@ExtendWith(LeakCheck.class)
class FrameDecoderLargeFrameTest {
    @Test
    void shouldAssembleMultiMebibyteFramesArrivingInSmallReadsFollowedByAnotherFrame() {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(data);
        ByteBuf stream = ByteBufAllocator.DEFAULT.buffer();
        ByteBuf big = FrameHeader.frame(
                ByteBufAllocator.DEFAULT,
                FrameType.TASK,
                0,
                1,
                ByteBufAllocator.DEFAULT.buffer().writeBytes(data));
        ByteBuf small = FrameHeader.frame(ByteBufAllocator.DEFAULT, FrameType.CANCEL, 0, 2, null);
        stream.writeBytes(big).writeBytes(small);
        big.release();
        small.release();

        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
        while (stream.isReadable()) {
            ch.writeInbound(stream.readRetainedSlice(Math.min(64 * 1024, stream.readableBytes())));
        }
        stream.release();

        Frame first = ch.readInbound();
        Frame second = ch.readInbound();
        try {
            assertThat(first.correlationId()).isEqualTo(1);
            byte[] back = new byte[first.payload().readableBytes()];
            first.payload().getBytes(first.payload().readerIndex(), back);
            assertThat(back).isEqualTo(data);
            assertThat(second.type()).isEqualTo(FrameType.CANCEL);
            assertThat(second.payload().readableBytes()).isZero();
        } finally {
            first.release();
            second.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
