package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A frame's buffer follows what has arrived, not what its header declares, and a frame must arrive within its
 * deadline. One state machine: {@link EmbeddedChannel} with virtual time.
 */
@ExtendWith(LeakCheck.class)
class FrameAssemblyTest {
    private static final int MAX = 256 << 20;

    private static ByteBuf header(long length, long id) {
        return Unpooled.buffer(FrameHeader.LENGTH)
                .writeInt((int) length)
                .writeByte(FrameHeader.VERSION)
                .writeByte(FrameType.TASK.code())
                .writeShort(0)
                .writeLong(id);
    }

    private static EmbeddedChannel channel(FrameDecoder decoder) {
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.freezeTime();
        return ch;
    }

    @Test
    void shouldNotAllocateTheDeclaredLengthForAHeaderFollowedByAFewKilobytes() {
        FrameDecoder decoder = new FrameDecoder(MAX);
        EmbeddedChannel ch = channel(decoder);
        ch.writeInbound(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD + (64L << 20), 1));
        for (int i = 0; i < 8; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[1024]));
        }
        assertThat(decoder.cumulationCapacity())
                .as("buffer for 64 MiB declared, 8 KiB received")
                .isLessThanOrEqualTo(2 * FrameDecoder.GROWTH_STEP);
        Object none = ch.readInbound();
        assertThat(none).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAFrameTrickledInSlowerThanItsDeadline() {
        EmbeddedChannel ch = channel(new FrameDecoder(MAX, Duration.ofSeconds(30)));
        ch.writeInbound(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD + 8192, 1));
        for (int i = 0; i < 9; i++) { // one byte every 3 s: bytes keep coming, but the frame is not done at 30 s
            ch.advanceTimeBy(3, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        }
        ch.checkException();
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThatThrownBy(ch::checkException)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame not completed in time: length=8204, received=25");
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldGiveEachFrameItsOwnClockAndLongFramesMoreTime() {
        EmbeddedChannel ch = channel(new FrameDecoder(MAX, Duration.ofSeconds(30)));
        ch.writeInbound(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD + 10, 1));
        ch.advanceTimeBy(20, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        // the first frame completes; a second starts at 20 s
        ByteBuf rest = Unpooled.buffer().writeBytes(new byte[10]);
        rest.writeBytes(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD + 10, 2));
        ch.writeInbound(rest);
        Frame first = ch.readInbound();
        assertThat(first.correlationId()).isEqualTo(1);
        first.release();
        ch.advanceTimeBy(20, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException(); // 40 s since the first byte, 20 s since the second frame's
        ch.advanceTimeBy(11, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThatThrownBy(ch::checkException).isInstanceOf(ProtocolException.class);
        ch.finishAndReleaseAll();

        // 4 MiB declared: 30 s + 16 s at 256 KiB/s
        EmbeddedChannel big = channel(new FrameDecoder(MAX, Duration.ofSeconds(30)));
        big.writeInbound(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD + (4 << 20), 3));
        big.advanceTimeBy(40, TimeUnit.SECONDS);
        big.runScheduledPendingTasks();
        big.checkException();
        big.advanceTimeBy(7, TimeUnit.SECONDS);
        big.runScheduledPendingTasks();
        assertThatThrownBy(big::checkException).isInstanceOf(ProtocolException.class);
        big.finishAndReleaseAll();
    }

    @Test
    void shouldNotFireForFramesThatArriveWhole() {
        EmbeddedChannel ch = channel(new FrameDecoder(MAX, Duration.ofSeconds(30)));
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(header(FrameHeader.LENGTH_AFTER_LENGTH_FIELD, i));
            ch.advanceTimeBy(40, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
        }
        ch.checkException();
        for (int i = 0; i < 3; i++) {
            Frame f = ch.readInbound();
            f.release();
        }
        ch.finishAndReleaseAll();
    }
}
