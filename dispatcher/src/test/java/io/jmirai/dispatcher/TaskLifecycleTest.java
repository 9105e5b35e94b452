package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.ErrorValue;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.FrameType;
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
 * The task state machine ({@link TaskLifecycle} with both {@link SchedulingPolicy} implementations and
 * {@link Counters}) driven by plain calls: daemons are {@link EmbeddedChannel}s whose written frames the test reads,
 * and the timers run on an embedded event loop whose clock the test advances. No socket, no thread, no daemon JVM.
 */
@Timeout(10)
class TaskLifecycleTest {
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final ListenUrl BASE = ListenUrl.parse("tcp://127.0.0.1:5555");

    private final EmbeddedChannel clock = new EmbeddedChannel();
    private final List<DaemonConnection> daemons = new ArrayList<>();
    private final List<String> recycled = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<TaskRecord> records = new ArrayList<>();
    private TaskLifecycle tasks;

    private TaskLifecycle lifecycle(boolean direct) {
        return lifecycle(direct, 1);
    }

    private TaskLifecycle lifecycle(boolean direct, int prefetch) {
        clock.freezeTime();
        tasks = new TaskLifecycle(
                clock.eventLoop(),
                direct,
                prefetch,
                GRACE,
                (conn, reason) -> {
                    recycled.add(conn.row.id + ": " + reason);
                    conn.recycling = true;
                    tasks.policy().lost(conn);
                },
                new RecordingEvents(events));
        return tasks;
    }

    @AfterEach
    void releaseEverything() {
        if (tasks != null && !tasks.isShutdown()) {
            tasks.close(daemons); // resolves what a test left queued or running
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

    /** A daemon at slot {@code slot}, authenticated and announced to the lifecycle. */
    private DaemonConnection connect(int slot) {
        DaemonConnection conn = new DaemonConnection(null);
        conn.attachAuthenticated(
                new EmbeddedChannel(), new SlotRegistry.SlotRow(String.valueOf(slot), slot, BASE), 100 + slot);
        daemons.add(conn);
        tasks.connected(conn);
        return conn;
    }

    private TaskRecord task(long id, List<Outcome> outcomes) {
        TaskRecord r = new TaskRecord(id, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), outcomes::add);
        records.add(r);
        return r;
    }

    /**
     * @return "TYPE:id" of every frame {@code conn}'s daemon was sent since the last call (after the end of the loop's
     *     pass, which flushes what was written)
     */
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

    private void assertCounters(long awaiting, long executing, long completed) {
        Counters c = tasks.counters();
        assertThat(new long[] {c.awaiting(), c.executing(), c.completed()})
                .as("awaiting, executing, completed")
                .containsExactly(awaiting, executing, completed);
        assertThat(c.awaiting() + c.executing() + c.completed())
                .as("awaiting + executing + completed = submitted")
                .isEqualTo(c.submitted());
    }

    @Test
    void shouldRunQueuedTasksOneAtATimeInFifoOrder() {
        lifecycle(false);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        tasks.submit(task(2, out));
        assertCounters(2, 0, 0);
        DaemonConnection d = connect(1);
        assertThat(sent(d)).containsExactly("TASK:1");
        assertCounters(1, 1, 0);
        tasks.result(d, 1, ok());
        assertThat(sent(d)).as("the answer frees the daemon for the next").containsExactly("TASK:2");
        tasks.result(d, 2, ok());
        assertThat(out).hasSize(2).allMatch(o -> o instanceof Outcome.Result);
        assertCounters(0, 0, 2);
        assertThat(d.row.assigned).isEqualTo(2);
        assertThat(d.row.complete).isEqualTo(2);
    }

    @Test
    void shouldDiscardTheLateResultOfACancelledTaskAndKeepTheDaemonBusyUntilIt() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> first = new ArrayList<>();
        List<Outcome> second = new ArrayList<>();
        TaskRecord t1 = task(1, first);
        tasks.submit(t1);
        tasks.submit(task(2, second));
        assertThat(tasks.cancel(List.of(t1))).isEqualTo(1);
        assertThat(first).singleElement().isEqualTo(TaskLifecycle.CANCELLED);
        assertThat(sent(d)).as("no second task before the first answered").containsExactly("TASK:1", "CANCEL:1");
        assertCounters(1, 0, 1);

        tasks.result(d, 1, ok()); // the late answer
        assertThat(first).as("resolved exactly once").hasSize(1);
        assertThat(sent(d)).containsExactly("TASK:2");
        assertThat(tasks.cancel(List.of(t1))).as("a second stop does nothing").isZero();
        tasks.result(d, 2, ok());
        assertThat(second).singleElement().isInstanceOf(Outcome.Result.class);
        assertCounters(0, 0, 2);
        clock.advanceTimeBy(GRACE.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
        assertThat(recycled).as("it answered within the grace").isEmpty();
    }

    @Test
    void shouldIgnoreAStopAfterTheResult() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        TaskRecord t = task(1, out);
        tasks.submit(t);
        tasks.result(d, 1, ok());
        assertThat(tasks.cancel(List.of(t))).isZero();
        assertThat(out).singleElement().isInstanceOf(Outcome.Result.class);
        assertThat(sent(d)).containsExactly("TASK:1");
        assertCounters(0, 0, 1);
    }

    @Test
    void shouldTimeOutAQueuedTaskSoThatItIsNeverAssigned() {
        lifecycle(false);
        List<Outcome> timedOut = new ArrayList<>();
        List<Outcome> next = new ArrayList<>();
        tasks.submit(task(1, timedOut).timeout(Duration.ofSeconds(1), System.nanoTime()));
        tasks.submit(task(2, next));
        clock.advanceTimeBy(2, TimeUnit.SECONDS);
        clock.runScheduledPendingTasks();
        assertThat(timedOut)
                .singleElement()
                .isInstanceOfSatisfying(
                        Outcome.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorValue.TIMED_OUT));
        assertCounters(1, 0, 1);
        DaemonConnection d = connect(1);
        assertThat(sent(d)).as("the timed-out task is skipped").containsExactly("TASK:2");
    }

    @Test
    void shouldResolveATaskWhoseDeadlinePassedBeforeItReachedTheDispatcher() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out).timeout(Duration.ofMillis(1), System.nanoTime() - 1_000_000_000L));
        assertThat(out).singleElement().isInstanceOf(Outcome.Failure.class);
        assertThat(sent(d)).as("never sent").isEmpty();
        assertCounters(0, 0, 1);
    }

    @Test
    void shouldCancelARunningTaskOnTimeoutAndRecycleADaemonThatIgnoresIt() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out).timeout(Duration.ofSeconds(1), System.nanoTime()));
        tasks.submit(task(2, new ArrayList<>()));
        assertThat(sent(d)).containsExactly("TASK:1");
        clock.advanceTimeBy(1, TimeUnit.SECONDS);
        clock.runScheduledPendingTasks();
        assertThat(out).singleElement().isInstanceOf(Outcome.Failure.class);
        assertThat(sent(d)).containsExactly("CANCEL:1");
        assertThat(recycled).isEmpty();
        clock.advanceTimeBy(GRACE.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
        assertThat(recycled).singleElement().asString().startsWith("1: task ignored its interrupt");
        assertCounters(1, 0, 1);

        DaemonConnection fresh = connect(2); // the replacement takes the queue
        assertThat(sent(fresh)).containsExactly("TASK:2");
        assertThat(sent(d)).as("a recycling daemon gets nothing more").isEmpty();
    }

    @Test
    void shouldRetryALostTaskAtTheFrontThenReportRetriesExhausted() {
        lifecycle(false);
        DaemonConnection d1 = connect(1);
        List<Outcome> out = new ArrayList<>();
        TaskRecord t = task(1, out).retries(1);
        tasks.submit(t);
        tasks.submit(task(2, new ArrayList<>()));
        assertThat(sent(d1)).containsExactly("TASK:1");
        assertCounters(1, 1, 0);

        tasks.disconnected(d1);
        assertThat(out).as("queued again, not resolved").isEmpty();
        assertCounters(2, 0, 0);
        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).as("the retried task goes first").containsExactly("TASK:1");
        assertCounters(1, 1, 0);

        tasks.disconnected(d2);
        assertThat(out)
                .singleElement()
                .isInstanceOfSatisfying(
                        Outcome.RetriesExhausted.class,
                        r -> assertThat(r.losses()).isEqualTo(2));
        assertCounters(1, 0, 1);
    }

    @Test
    void shouldResolveALostTaskWithoutRetriesToConnectionReset() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        tasks.disconnected(d);
        // code 19 once whoever knows the daemon's process has added how it ended (Daemons does, for local ones)
        assertThat(out)
                .singleElement()
                .isInstanceOfSatisfying(
                        Outcome.Lost.class, l -> assertThat(l.message()).startsWith("connection reset: daemon lost"));
        assertCounters(0, 0, 1);
    }

    @Test
    void shouldServePinnedSetupsFirstAndReplayThemToLaterDaemons() {
        lifecycle(false);
        DaemonConnection d1 = connect(1);
        tasks.submit(task(1, new ArrayList<>()));
        assertThat(sent(d1)).containsExactly("TASK:1");
        tasks.addSetup(Unpooled.wrappedBuffer(new byte[] {9}));
        tasks.pin(d1, task(10, new ArrayList<>()));
        tasks.submit(task(2, new ArrayList<>()));
        tasks.result(d1, 1, ok());
        assertThat(sent(d1)).as("the setup before the queue").containsExactly("TASK:10");
        tasks.result(d1, 10, ok());
        assertThat(sent(d1)).containsExactly("TASK:2");

        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).as("an internal replay, negative id").containsExactly("TASK:-1");
        tasks.result(d2, -1, ok());
        assertCounters(0, 1, 2);
        assertThat(events).as("replays are not reported").noneMatch(e -> e.contains("-1"));
    }

    @Test
    void shouldSendTasksRoundRobinAtOnceInDirectMode() {
        lifecycle(true);
        DaemonConnection d1 = connect(1);
        DaemonConnection d2 = connect(2);
        for (long id = 1; id <= 4; id++) {
            tasks.submit(task(id, new ArrayList<>()));
        }
        assertThat(sent(d1)).containsExactly("TASK:1", "TASK:3");
        assertThat(sent(d2)).containsExactly("TASK:2", "TASK:4");
        assertCounters(0, 4, 0);
        tasks.disconnected(d1); // no retries: both of its tasks resolve
        assertCounters(0, 2, 2);
        tasks.submit(task(5, new ArrayList<>()));
        assertThat(sent(d2)).containsExactly("TASK:5");
    }

    @Test
    void shouldResolveEverythingOnCloseAndRefuseLaterTasks() {
        lifecycle(false);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        tasks.submit(task(2, out));
        tasks.addSetup(Unpooled.wrappedBuffer(new byte[] {9}));
        tasks.pin(d, task(3, out));
        tasks.close(List.of(d));
        assertThat(out).hasSize(3).containsOnly(TaskLifecycle.CLOSED);
        assertCounters(0, 0, 3);
        tasks.submit(task(4, out));
        assertThat(out).hasSize(4).last().isEqualTo(TaskLifecycle.CLOSED);
    }

    @Test
    void shouldReportEventsInOrderAndOnlyForUserTasks() {
        lifecycle(false);
        tasks.submit(task(1, new ArrayList<>()));
        DaemonConnection d = connect(1);
        tasks.result(d, 1, ok());
        TaskRecord stopped = task(2, new ArrayList<>());
        tasks.submit(stopped);
        tasks.cancel(List.of(stopped));
        assertThat(events)
                .containsExactly(
                        "submitted 1",
                        "dispatched 1 1",
                        "resolved 1 Result",
                        "submitted 2",
                        "dispatched 2 1",
                        "resolved 2 Failure");
    }

    // Prefetch: a window of W tasks in flight per daemon (PrefetchScheduling).

    @Test
    void shouldSpreadABurstOverEveryDaemonBeforeFillingAnyWindow() {
        lifecycle(false, 2);
        DaemonConnection d1 = connect(1);
        DaemonConnection d2 = connect(2);
        List<Outcome> out = new ArrayList<>();
        for (long id = 1; id <= 5; id++) {
            tasks.submit(task(id, out));
        }
        assertThat(sent(d2)).as("the most recently freed daemon first").containsExactly("TASK:1", "TASK:3");
        assertThat(sent(d1)).containsExactly("TASK:2", "TASK:4");
        assertCounters(1, 4, 0);
        tasks.result(d2, 1, ok());
        assertThat(sent(d2)).as("an answer refills the window").containsExactly("TASK:5");
        assertThat(sent(d1)).isEmpty();
        assertCounters(0, 4, 1);
    }

    @Test
    void shouldGiveAnIdleDaemonTheNextTaskBeforeOneThatHoldsATask() {
        lifecycle(false, 2);
        DaemonConnection d1 = connect(1);
        tasks.submit(task(1, new ArrayList<>()));
        assertThat(sent(d1)).containsExactly("TASK:1");
        DaemonConnection d2 = connect(2);
        tasks.submit(task(2, new ArrayList<>()));
        assertThat(sent(d2)).containsExactly("TASK:2");
        tasks.submit(task(3, new ArrayList<>()));
        assertThat(sent(d1)).as("then round-robin over the daemons with room").containsExactly("TASK:3");
    }

    @Test
    void shouldPrefetchNoMoreThanAMebibyteOfPayloadToABusyDaemon() {
        lifecycle(false, 4);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        int big = (int) (PrefetchScheduling.PREFETCH_BYTES * 6 / 10);
        for (long id = 1; id <= 3; id++) {
            TaskRecord r = new TaskRecord(id, Unpooled.wrappedBuffer(new byte[big]), out::add);
            records.add(r);
            tasks.submit(r);
        }
        tasks.submit(task(4, out));
        assertThat(sent(d))
                .as("a second large task would not fit: it waits, and so does the next")
                .containsExactly("TASK:1");
        assertThat(d.inflightBytes).isEqualTo(big);
        tasks.result(d, 1, ok());
        assertThat(sent(d)).containsExactly("TASK:2");
        tasks.result(d, 2, ok());
        assertThat(sent(d)).as("a small task fits behind a large one").containsExactly("TASK:3", "TASK:4");
        tasks.result(d, 3, ok());
        tasks.result(d, 4, ok());
        assertThat(d.inflightBytes).isZero();
        assertCounters(0, 0, 4);
    }

    @Test
    void shouldFlushOncePerPassNotPerFrame() {
        lifecycle(false, 3);
        DaemonConnection d = connect(1);
        for (long id = 1; id <= 3; id++) {
            tasks.submit(task(id, new ArrayList<>()));
        }
        EmbeddedChannel ch = (EmbeddedChannel) d.channel();
        assertThat(ch.outboundMessages())
                .as("written, not flushed, until the pass ends")
                .isEmpty();
        assertThat(sent(d)).containsExactly("TASK:1", "TASK:2", "TASK:3");
    }

    @Test
    void shouldCancelAPrefetchedTaskAndRefillItsPlaceWhenTheDaemonAnswers() {
        lifecycle(false, 2);
        DaemonConnection d = connect(1);
        List<Outcome> second = new ArrayList<>();
        tasks.submit(task(1, new ArrayList<>()));
        TaskRecord t2 = task(2, second);
        tasks.submit(t2);
        tasks.submit(task(3, new ArrayList<>()));
        assertThat(sent(d)).containsExactly("TASK:1", "TASK:2");
        assertThat(tasks.cancel(List.of(t2))).isEqualTo(1);
        assertThat(second).singleElement().isEqualTo(TaskLifecycle.CANCELLED);
        assertThat(sent(d)).as("the daemon drops it").containsExactly("CANCEL:2");
        assertCounters(1, 1, 1);
        tasks.result(d, 2, new Outcome.Result(FrameType.Flags.RESULT_CANCELLED, new byte[0])); // dropped, answered
        assertThat(sent(d)).as("its place in the window goes to the next").containsExactly("TASK:3");
        assertThat(second).as("resolved once").hasSize(1);
        tasks.result(d, 1, ok());
        tasks.result(d, 3, ok());
        assertCounters(0, 0, 3);
    }

    @Test
    void shouldTimeOutAPrefetchedTaskFromItsSubmission() {
        lifecycle(false, 2);
        DaemonConnection d = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, new ArrayList<>()));
        tasks.submit(task(2, out).timeout(Duration.ofSeconds(1), System.nanoTime()));
        assertThat(sent(d)).containsExactly("TASK:1", "TASK:2");
        clock.advanceTimeBy(1, TimeUnit.SECONDS);
        clock.runScheduledPendingTasks();
        assertThat(out)
                .singleElement()
                .isInstanceOfSatisfying(
                        Outcome.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorValue.TIMED_OUT));
        assertThat(sent(d)).containsExactly("CANCEL:2");
        tasks.result(d, 2, new Outcome.Result(FrameType.Flags.RESULT_CANCELLED, new byte[0]));
        tasks.result(d, 1, ok());
        assertCounters(0, 0, 2);
        clock.advanceTimeBy(GRACE.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
        assertThat(recycled).isEmpty();
    }

    @Test
    void shouldReturnUnstartedTasksOfALostDaemonToTheFrontInOrderWithoutCountingARetry() {
        lifecycle(false, 3);
        DaemonConnection d1 = connect(1);
        List<Outcome> first = new ArrayList<>();
        List<Outcome> rest = new ArrayList<>();
        tasks.submit(task(1, first));
        TaskRecord t2 = task(2, rest);
        tasks.submit(t2);
        tasks.submit(task(3, rest));
        tasks.submit(task(4, rest));
        assertThat(sent(d1)).containsExactly("TASK:1", "TASK:2", "TASK:3");
        assertCounters(1, 3, 0);

        tasks.disconnected(d1);
        assertThat(first)
                .as("the oldest unanswered may have started: lost")
                .singleElement()
                .isInstanceOf(Outcome.Lost.class);
        assertThat(rest).as("the others never started: queued again").isEmpty();
        assertThat(t2.losses).as("not a retry").isZero();
        assertCounters(3, 0, 1);
        assertThat(d1.row.assigned)
                .as("only the task that may have run stays assigned")
                .isEqualTo(1);

        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).as("ahead of the queue, in their order").containsExactly("TASK:2", "TASK:3", "TASK:4");
        for (long id = 2; id <= 4; id++) {
            tasks.result(d2, id, ok());
        }
        assertThat(rest).hasSize(3).allMatch(o -> o instanceof Outcome.Result);
        assertCounters(0, 0, 4);
    }

    @Test
    void shouldRetryTheOldestAndReturnTheRestInSubmissionOrder() {
        lifecycle(false, 2);
        DaemonConnection d1 = connect(1);
        TaskRecord t1 = task(1, new ArrayList<>()).retries(1);
        tasks.submit(t1);
        tasks.submit(task(2, new ArrayList<>()));
        tasks.submit(task(3, new ArrayList<>()));
        assertThat(sent(d1)).containsExactly("TASK:1", "TASK:2");
        tasks.disconnected(d1);
        assertThat(t1.losses).isEqualTo(1);
        assertCounters(3, 0, 0);
        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).as("the retried one, then the returned one").containsExactly("TASK:1", "TASK:2");
        DaemonConnection d3 = connect(3);
        assertThat(sent(d3)).containsExactly("TASK:3");
    }

    @Test
    void shouldReturnEveryUnansweredTaskOfADaemonThatExitsByALimit() {
        lifecycle(false, 2);
        DaemonConnection d1 = connect(1);
        List<Outcome> out = new ArrayList<>();
        tasks.submit(task(1, out));
        tasks.submit(task(2, out));
        tasks.submit(task(3, out));
        assertThat(sent(d1)).containsExactly("TASK:1", "TASK:2");
        tasks.result(d1, 1, ok());
        assertThat(sent(d1)).containsExactly("TASK:3");
        d1.finishing = true; // GOODBYE LIMIT_REACHED after its last RESULT: it runs nothing
        tasks.disconnected(d1);
        assertThat(out).as("nothing lost").hasSize(1);
        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).containsExactly("TASK:2", "TASK:3");
        assertCounters(0, 2, 1);
    }

    @Test
    void shouldReturnTheTasksWaitingBehindOneThatIgnoredItsInterrupt() {
        lifecycle(false, 2);
        DaemonConnection d1 = connect(1);
        List<Outcome> stuck = new ArrayList<>();
        List<Outcome> waiting = new ArrayList<>();
        TaskRecord t1 = task(1, stuck);
        tasks.submit(t1);
        tasks.submit(task(2, waiting));
        assertThat(sent(d1)).containsExactly("TASK:1", "TASK:2");
        tasks.cancel(List.of(t1));
        clock.advanceTimeBy(GRACE.toNanos(), TimeUnit.NANOSECONDS);
        clock.runScheduledPendingTasks();
        assertThat(recycled).singleElement().asString().startsWith("1: task ignored its interrupt");
        tasks.disconnected(d1); // the recycled daemon's connection closes
        assertThat(waiting).as("not lost with the recycled daemon").isEmpty();
        DaemonConnection d2 = connect(2);
        assertThat(sent(d2)).containsExactly("TASK:2");
        tasks.result(d2, 2, ok());
        assertThat(waiting).singleElement().isInstanceOf(Outcome.Result.class);
        assertCounters(0, 0, 2);
    }

    @Test
    void shouldServeASetupBeforeAnyLaterTaskWhenTheWindowIsFull() {
        lifecycle(false, 2);
        DaemonConnection d = connect(1);
        tasks.submit(task(1, new ArrayList<>()));
        tasks.submit(task(2, new ArrayList<>()));
        assertThat(sent(d)).containsExactly("TASK:1", "TASK:2");
        tasks.addSetup(Unpooled.wrappedBuffer(new byte[] {9}));
        tasks.pin(d, task(10, new ArrayList<>()));
        tasks.submit(task(3, new ArrayList<>()));
        assertThat(sent(d)).as("the window is full").isEmpty();
        tasks.result(d, 1, ok());
        assertThat(sent(d)).containsExactly("TASK:10");
        tasks.result(d, 2, ok());
        assertThat(sent(d)).as("the later task after the setup").containsExactly("TASK:3");
    }

    @Test
    void shouldKeepNoDeadlineEntriesForTasksThatFinishedLongBeforeTheirTimeout() {
        lifecycle(false, 1);
        DaemonConnection d = connect(1);
        for (long id = 1; id <= 5000; id++) {
            tasks.submit(task(id, new ArrayList<>()).timeout(Duration.ofHours(1), System.nanoTime()));
            sent(d);
            tasks.result(d, id, ok());
        }
        assertCounters(0, 0, 5000);
        assertThat(tasks.deadlines().size()).as("swept as they resolve").isLessThan(2100);
        TaskRecord late = task(5001, new ArrayList<>()).timeout(Duration.ofHours(1), System.nanoTime());
        tasks.submit(late);
        clock.advanceTimeBy(1, TimeUnit.HOURS);
        clock.runScheduledPendingTasks();
        assertThat(late.isDone()).as("the live one still expires").isTrue();
        assertThat(tasks.deadlines().size()).isZero();
    }

    /** Writes each event as a line. */
    private record RecordingEvents(List<String> lines) implements DispatchEvents {
        @Override
        public void taskSubmitted(long taskId) {
            lines.add("submitted " + taskId);
        }

        @Override
        public void taskDispatched(long taskId, String daemonId) {
            lines.add("dispatched " + taskId + " " + daemonId);
        }

        @Override
        public void taskResolved(long taskId, Outcome outcome) {
            lines.add("resolved " + taskId + " " + outcome.getClass().getSimpleName());
        }
    }
}
