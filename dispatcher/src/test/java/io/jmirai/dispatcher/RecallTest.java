package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.ErrorValue;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recall ({@link PrefetchScheduling} with {@link TaskLifecycle}): a task prefetched to a busy daemon is taken back
 * for an idle one, and every race of a RECALL with the task's own RESULT, a stop, a timeout or the daemon's loss
 * leaves each task resolved exactly once and the counters consistent. Daemons are {@link EmbeddedChannel}s whose
 * written frames the test reads; timers run on an embedded event loop whose clock the test advances.
 */
@Timeout(10)
class RecallTest {
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final ListenUrl BASE = ListenUrl.parse("tcp://127.0.0.1:5555");

    private final EmbeddedChannel clock = new EmbeddedChannel();
    private final List<DaemonConnection> daemons = new ArrayList<>();
    private final List<String> recycled = new ArrayList<>();
    private final List<TaskRecord> records = new ArrayList<>();
    private TaskLifecycle tasks;

    private void lifecycle(int prefetch) {
        clock.freezeTime();
        tasks = new TaskLifecycle(
                clock.eventLoop(),
                false,
                prefetch,
                GRACE,
                (conn, reason) -> {
                    recycled.add(conn.row.id + ": " + reason);
                    conn.recycling = true;
                    tasks.policy().lost(conn);
                },
                DispatchEvents.NOOP);
    }

    @AfterEach
    void releaseEverything() {
        if (tasks != null && !tasks.isShutdown()) {
            tasks.close(daemons);
        }
        for (DaemonConnection conn : daemons) {
            ((EmbeddedChannel) conn.channel()).finishAndReleaseAll();
        }
        clock.finishAndReleaseAll();
        for (TaskRecord r : records) {
            assertThat(r.payload().refCnt())
                    .as("payload of task %s released", r.id())
                    .isZero();
        }
    }

    /** A daemon at slot {@code slot} that negotiated recall (or not), authenticated and announced. */
    private DaemonConnection connect(int slot, boolean recalls) {
        DaemonConnection conn = new DaemonConnection(null);
        conn.attachAuthenticated(
                new EmbeddedChannel(), new SlotRegistry.SlotRow(String.valueOf(slot), slot, BASE), 100 + slot);
        conn.recalls = recalls;
        daemons.add(conn);
        tasks.connected(conn);
        return conn;
    }

    private TaskRecord task(long id, List<Outcome> outcomes) {
        TaskRecord r = new TaskRecord(id, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), outcomes::add);
        records.add(r);
        return r;
    }

    /** @return "TYPE:id" of every frame written to {@code conn} since the last call, after the loop's pass */
    private List<String> sent(DaemonConnection conn) {
        clock.runPendingTasks();
        EmbeddedChannel ch = (EmbeddedChannel) conn.channel();
        List<String> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = ch.readOutbound()) != null) {
            try {
                frames.add(FrameType.fromCode(frame.getByte(5)) + ":" + frame.getLong(8));
            } finally {
                frame.release();
            }
        }
        return frames;
    }

    private static Outcome.Result ok() {
        return new Outcome.Result(0, new byte[0]);
    }

    private static Outcome.Result recalled() {
        return new Outcome.Result(FrameType.Flags.RESULT_RECALLED, new byte[0]);
    }

    private void assertCounters(long awaiting, long executing, long completed) {
        Counters c = tasks.counters();
        assertThat(new long[] {c.awaiting(), c.executing(), c.completed()})
                .as("awaiting, executing, completed")
                .containsExactly(awaiting, executing, completed);
        assertThat(c.awaiting() + c.executing() + c.completed())
                .as("awaiting + executing + completed = submitted")
                .isEqualTo(c.submitted());
    }

    /**
     * Window 3, two daemons, five tasks: the burst spreads, so {@code busy} (the most recently connected) holds 1, 3, 5
     * and {@code other} holds 2 and 4; then {@code other} answers both and goes idle.
     *
     * @return {busy, other}
     */
    private DaemonConnection[] busyAndIdle(boolean recalls, List<Outcome> out) {
        lifecycle(3);
        DaemonConnection other = connect(1, recalls);
        DaemonConnection busy = connect(2, recalls);
        for (long id = 1; id <= 5; id++) {
            tasks.submit(task(id, out));
        }
        assertThat(sent(busy)).containsExactly("TASK:1", "TASK:3", "TASK:5");
        assertThat(sent(other)).containsExactly("TASK:2", "TASK:4");
        tasks.result(other, 2, ok());
        tasks.result(other, 4, ok());
        return new DaemonConnection[] {busy, other};
    }

    @Test
    void shouldRecallTheNewestWaitingTaskForAnIdleDaemonAndRunItThere() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(true, out);
        DaemonConnection busy = d[0];
        DaemonConnection other = d[1];
        assertThat(sent(busy))
                .as("the newest waiting task, one recall per idle daemon")
                .containsExactly("RECALL:5");
        assertThat(sent(other)).isEmpty();
        assertCounters(0, 3, 2);

        tasks.result(busy, 5, recalled());
        assertThat(sent(other)).as("given back, it goes to the idle daemon").containsExactly("TASK:5");
        assertThat(sent(busy)).isEmpty();
        assertCounters(0, 3, 2);
        assertThat(busy.row.assigned).as("not counted where it never ran").isEqualTo(2);
        assertThat(busy.row.complete).isZero();
        assertThat(records.get(4).losses).as("not a retry").isZero();

        tasks.result(other, 5, ok());
        assertThat(sent(busy))
                .as("idle again: the next newest waiting task is recalled")
                .containsExactly("RECALL:3");
        tasks.result(busy, 1, ok());
        tasks.result(busy, 3, ok()); // had started after all: answers as usual, once
        assertThat(sent(other)).isEmpty();
        assertThat(out).hasSize(5).allMatch(o -> o instanceof Outcome.Result r && r.flags() == 0);
        assertCounters(0, 0, 5);
        assertThat(busy.row.complete + other.row.complete).isEqualTo(5);
    }

    @Test
    void shouldLetARecalledTaskThatHadStartedAnswerAsUsualAndMoveTheRecallOn() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(true, out);
        DaemonConnection busy = d[0];
        DaemonConnection other = d[1];
        assertThat(sent(busy)).containsExactly("RECALL:5");
        tasks.result(busy, 1, ok());
        assertThat(sent(busy)).as("one recall pending for the one idle daemon").isEmpty();
        DaemonConnection third = connect(3, true);
        assertThat(sent(third)).isEmpty();
        assertThat(sent(busy))
                .as("a second idle daemon: the next newest waiting task (3 may be running, so never it)")
                .isEmpty();
        tasks.result(busy, 3, ok());
        tasks.result(busy, 5, ok()); // the RECALL came after it started
        assertThat(out).hasSize(5).allMatch(o -> o instanceof Outcome.Result r && r.flags() == 0);
        assertThat(sent(other)).isEmpty();
        assertThat(sent(third)).isEmpty();
        assertCounters(0, 0, 5);

        for (long id = 6; id <= 11; id++) {
            tasks.submit(task(id, out));
        }
        // three idle daemons, the most recently freed first: busy 6, 9; third 7, 10; other 8, 11
        assertThat(sent(busy)).containsExactly("TASK:6", "TASK:9");
        assertThat(sent(third)).containsExactly("TASK:7", "TASK:10");
        assertThat(sent(other)).containsExactly("TASK:8", "TASK:11");
        tasks.result(third, 7, ok());
        tasks.result(third, 10, ok());
        assertThat(sent(busy).size() + sent(other).size())
                .as("the settled recall no longer holds back the next one")
                .isEqualTo(1);
    }

    @Test
    void shouldForgetARecalledTaskThatWasStoppedBeforeTheDaemonAnswered() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(true, out);
        DaemonConnection busy = d[0];
        DaemonConnection other = d[1];
        assertThat(sent(busy)).containsExactly("RECALL:5");
        TaskRecord t5 = records.get(4);
        assertThat(tasks.cancel(List.of(t5))).isEqualTo(1);
        assertThat(sent(busy)).containsExactly("CANCEL:5");
        assertCounters(0, 2, 3);

        tasks.result(busy, 5, recalled()); // the RECALL arrived first; the CANCEL then finds nothing
        assertThat(out.stream().filter(o -> o == TaskLifecycle.CANCELLED)).hasSize(1);
        assertThat(sent(other)).as("a stopped task is not run elsewhere").isEmpty();
        assertCounters(0, 2, 3);
        clock.advanceTimeBy(GRACE.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
        assertThat(recycled).as("it answered").isEmpty();
        assertThat(sent(busy)).as("3 is recalled next").containsExactly("RECALL:3");
        tasks.result(busy, 3, recalled());
        assertThat(sent(other)).containsExactly("TASK:3");
        tasks.result(busy, 1, ok());
        tasks.result(other, 3, ok());
        assertCounters(0, 0, 5);
        assertThat(busy.row.assigned)
                .as("every task it was sent is answered: the recalled ones do not count")
                .isEqualTo(busy.row.complete)
                .isEqualTo(1);
        assertThat(other.row.assigned).isEqualTo(other.row.complete).isEqualTo(3);
    }

    @Test
    void shouldKeepTheTimeoutOfARecalledTaskCountingFromItsSubmission() {
        lifecycle(2);
        DaemonConnection other = connect(1, true);
        DaemonConnection busy = connect(2, true);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        tasks.submit(task(2, out));
        tasks.submit(task(3, out).timeout(Duration.ofSeconds(2), System.nanoTime()));
        assertThat(sent(busy)).containsExactly("TASK:1", "TASK:3");
        tasks.result(other, 2, ok());
        sent(other);
        assertThat(sent(busy)).containsExactly("RECALL:3");
        clock.advanceTimeBy(1, TimeUnit.SECONDS);
        clock.runScheduledPendingTasks();
        tasks.result(busy, 3, recalled());
        assertThat(sent(other)).containsExactly("TASK:3");
        clock.advanceTimeBy(1, TimeUnit.SECONDS);
        clock.runScheduledPendingTasks();
        assertThat(out.get(out.size() - 1))
                .as("2 s after submission, though it was sent twice")
                .isInstanceOfSatisfying(
                        Outcome.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorValue.TIMED_OUT));
        assertThat(sent(other)).containsExactly("CANCEL:3");
        tasks.result(other, 3, new Outcome.Result(FrameType.Flags.RESULT_CANCELLED, new byte[0]));
        tasks.result(busy, 1, ok());
        assertCounters(0, 0, 3);
    }

    @Test
    void shouldReturnARecalledTaskOfALostDaemonOnceAndSettleTheRecall() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(true, out);
        DaemonConnection busy = d[0];
        DaemonConnection other = d[1];
        assertThat(sent(busy)).containsExactly("RECALL:5");
        tasks.disconnected(busy);
        assertThat(sent(other))
                .as("the unstarted ones, recalled or not, back in order")
                .containsExactly("TASK:3", "TASK:5");
        assertThat(out.stream().filter(o -> o instanceof Outcome.Lost)).hasSize(1);
        assertCounters(0, 2, 3);
        tasks.result(other, 3, ok());
        tasks.result(other, 5, ok());
        assertCounters(0, 0, 5);
        DaemonConnection late = connect(3, true);
        for (long id = 6; id <= 9; id++) {
            tasks.submit(task(id, out));
        }
        assertThat(sent(late)).containsExactly("TASK:6", "TASK:8");
        assertThat(sent(other)).containsExactly("TASK:7", "TASK:9");
        tasks.result(late, 6, ok());
        tasks.result(late, 8, ok());
        assertThat(sent(other))
                .as("the lost daemon's recall no longer counts as pending")
                .containsExactly("RECALL:9");
        tasks.result(other, 9, recalled());
        tasks.result(other, 7, ok());
        assertThat(sent(late)).containsExactly("TASK:9");
        tasks.result(late, 9, ok());
        assertCounters(0, 0, 9);
    }

    @Test
    void shouldNeverRecallFromADaemonThatDidNotNegotiateIt() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(false, out);
        assertThat(sent(d[0])).isEmpty();
        for (long id : new long[] {1, 3, 5}) {
            tasks.result(d[0], id, ok());
        }
        assertCounters(0, 0, 5);
    }

    @Test
    void shouldNotRecallAPinnedSetup() {
        lifecycle(3);
        DaemonConnection busy = connect(2, true);
        DaemonConnection other = connect(1, true);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        assertThat(sent(other)).containsExactly("TASK:1");
        tasks.submit(task(2, out));
        TaskRecord setup = task(-1, new ArrayList<>());
        setup.internal = true;
        tasks.pin(busy, setup);
        tasks.pin(busy, task(3, out));
        assertThat(sent(busy)).containsExactly("TASK:2", "TASK:-1", "TASK:3");
        tasks.result(other, 1, ok());
        assertThat(sent(busy)).as("pinned to that daemon").isEmpty();
        tasks.result(busy, 2, ok());
        tasks.result(busy, -1, ok());
        tasks.result(busy, 3, ok());
        assertCounters(0, 0, 3);
    }

    @Test
    void shouldRejectARecalledResultForATaskThatWasNotRecalled() {
        List<Outcome> out = new ArrayList<>();
        DaemonConnection[] d = busyAndIdle(false, out);
        assertThatThrownBy(() -> tasks.result(d[0], 3, recalled()))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("result flagged recalled for a task that was not recalled: task=3");
        tasks.disconnected(d[0]);
        assertThat(sent(d[1]))
                .as("still the daemon's, given back when it is lost")
                .containsExactly("TASK:3", "TASK:5");
    }
}
