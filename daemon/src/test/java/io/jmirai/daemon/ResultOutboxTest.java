package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** {@link ResultOutbox} by plain calls: a hand-run "event loop", no threads. */
class ResultOutboxTest {
    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    private final List<String> seen = new ArrayList<>();
    private final ResultOutbox outbox = new ResultOutbox(loop::add, new ResultOutbox.Sink() {
        @Override
        public void started(long id) {
            seen.add("started " + id);
        }

        @Override
        public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
            seen.add("finished " + id + " flags=" + flags + " attempt=" + attempt);
            result.release();
        }

        @Override
        public void drained() {
            seen.add("drained");
        }
    });

    private static ByteBuf result() {
        return Unpooled.buffer(1).writeByte(1);
    }

    @Test
    void shouldWakeTheLoopOnceForEverythingAddedBeforeTheDrainRuns() {
        outbox.started(1);
        outbox.finished(1, 0, result(), 7, false);
        outbox.started(2);
        outbox.finished(2, 1, result(), 7, false);
        assertThat(loop).hasSize(1);
        assertThat(outbox.isPending()).isTrue();
        loop.poll().run();
        assertThat(seen)
                .containsExactly(
                        "started 1",
                        "finished 1 flags=0 attempt=7",
                        "started 2",
                        "finished 2 flags=1 attempt=7",
                        "drained");
        assertThat(outbox.isPending()).isFalse();
        assertThat(outbox.wakeups()).isEqualTo(1);
    }

    @Test
    void shouldScheduleALoneResultAtOnceAndAgainAfterEachDrain() {
        outbox.finished(1, 0, result(), 1, false);
        assertThat(loop).as("a lone result: drain scheduled at once").hasSize(1);
        loop.poll().run();
        outbox.finished(2, 0, result(), 1, false);
        assertThat(loop).as("after a drain, the next result schedules another").hasSize(1);
        loop.poll().run();
        assertThat(seen)
                .containsExactly("finished 1 flags=0 attempt=1", "drained", "finished 2 flags=0 attempt=1", "drained");
        assertThat(outbox.wakeups()).isEqualTo(2);
    }

    @Test
    void shouldReleaseResultsWhenTheLoopRefusesTheDrain() {
        ResultOutbox refused = new ResultOutbox(
                r -> {
                    throw new RejectedExecutionException("shutting down");
                },
                new ResultOutbox.Sink() {
                    @Override
                    public void started(long id) {}

                    @Override
                    public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                        throw new AssertionError("never drained");
                    }

                    @Override
                    public void drained() {}
                });
        ByteBuf r = result();
        refused.finished(1, 0, r, 1, false);
        assertThat(r.refCnt()).isZero();
        assertThat(refused.isPending()).isFalse();
        ByteBuf again = result();
        refused.finished(2, 0, again, 1, false);
        assertThat(again.refCnt()).as("tried again, released again").isZero();
    }
}
