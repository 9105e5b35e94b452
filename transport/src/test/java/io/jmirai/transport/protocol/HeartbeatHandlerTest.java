package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link HeartbeatHandler} on an {@link EmbeddedChannel} with a frozen clock: milliseconds, no sockets. */
class HeartbeatHandlerTest {
    private static final long INTERVAL = 1000;

    private static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HeartbeatHandler(INTERVAL));
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private static FrameType typeOf(ByteBuf frame) {
        try {
            return FrameType.fromCode(frame.getByte(5));
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldSendAHeartbeatAfterAnIntervalWithoutWrites() {
        EmbeddedChannel ch = channel();
        advance(ch, INTERVAL - 1);
        assertThat(ch.<Object>readOutbound()).isNull();
        advance(ch, 1);
        assertThat(typeOf(ch.readOutbound())).isEqualTo(FrameType.HEARTBEAT);
        advance(ch, INTERVAL);
        assertThat(typeOf(ch.readOutbound())).as("and again one interval later").isEqualTo(FrameType.HEARTBEAT);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldCountAnyWriteAsLifeEvenWithAVoidPromise() {
        EmbeddedChannel ch = channel();
        advance(ch, 600);
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise());
        ((ByteBuf) ch.readOutbound()).release();
        advance(ch, 400); // one interval since start, 400 ms since the write
        assertThat(ch.<Object>readOutbound())
                .as("wrote 400 ms ago: no heartbeat")
                .isNull();
        advance(ch, 600);
        assertThat(typeOf(ch.readOutbound())).isEqualTo(FrameType.HEARTBEAT);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAfterThreeIntervalsWithoutReadsAndNotBefore() {
        EmbeddedChannel ch = channel();
        advance(ch, 2 * INTERVAL);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1})); // something read: the clock restarts
        ((ByteBuf) ch.readInbound()).release();
        advance(ch, 2 * INTERVAL);
        assertThat(ch.isOpen()).as("read 2 intervals ago").isTrue();
        advance(ch, INTERVAL);
        assertThat(ch.isOpen()).as("nothing read for 3 intervals").isFalse();
        assertThatThrownBy(ch::checkException)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("heartbeat timeout");
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldStopItsTimersWhenRemoved() {
        EmbeddedChannel ch = channel();
        ch.pipeline().remove(HeartbeatHandler.class);
        advance(ch, 10 * INTERVAL);
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }
}
