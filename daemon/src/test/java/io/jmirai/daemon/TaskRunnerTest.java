package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.AutoExit;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's task state machine ({@link TaskRunner}) by plain calls in this JVM: a real worker thread, no socket,
 * no host. The "event loop" is the calling thread, so finished tasks are handed back through a queue.
 */
@Timeout(30)
class TaskRunnerTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final CountDownLatch STARTED = new CountDownLatch(1);

    private final KryoCodec codec = new KryoCodec(TaskRunnerTest.class.getClassLoader());
    private final BlockingQueue<Finished> done = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> starts = new LinkedBlockingQueue<>();
    private final TaskRunner runner = new TaskRunner(
            config(0),
            ALLOC,
            Runnable::run,
            new ResultOutbox.Sink() {
                @Override
                public void started(long id) {
                    starts.add(id);
                }

                @Override
                public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                    done.add(new Finished(id, flags, result, attempt, recycle));
                }

                @Override
                public void drained() {}
            },
            true);

    private static DaemonConfig config(int maxTasks) {
        return new DaemonConfig(
                ListenUrl.parse("tcp://127.0.0.1:1"),
                new byte[] {1},
                0,
                "",
                AutoExit.NOW,
                null,
                null,
                maxTasks,
                false,
                true,
                TaskRunnerTest.class.getClassLoader(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                null,
                true);
    }

    private record Finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {}

    /** An exception none of whose accessors can be called. */
    static final class NastyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage is booby-trapped");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new IllegalStateException("getStackTrace is booby-trapped");
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("getCause is booby-trapped");
        }
    }

    @Test
    void shouldAnswerAnExceptionWhoseAccessorsThrowWithoutRecycling() throws Exception {
        runner.maxFrameLength(1 << 20);
        runner.enqueue(
                5,
                payload((Callable<Integer> & Serializable) () -> {
                    throw new NastyException();
                }),
                1);
        Finished f = next();
        try {
            assertThat(f.flags()).isEqualTo(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR);
            io.jmirai.transport.serial.RemoteError e = io.jmirai.transport.serial.RemoteError.decode(f.result());
            assertThat(e.className()).isEqualTo(NastyException.class.getName());
            assertThat(e.message()).contains("getMessage() threw java.lang.IllegalStateException");
            assertThat(f.recycle()).isFalse();
        } finally {
            f.result().release();
        }
    }

    @Test
    void shouldAnswerAStackOverflowAndAskToBeRecycled() throws Exception {
        runner.maxFrameLength(1 << 20);
        runner.enqueue(6, payload((Callable<Integer> & Serializable) TaskRunnerTest::recurse), 1);
        ByteBuf after = payload((Callable<Integer> & Serializable) () -> 7);
        runner.enqueue(7, after, 1);
        Finished f = next();
        try {
            assertThat(f.flags()).isEqualTo(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR);
            assertThat(io.jmirai.transport.serial.RemoteError.decode(f.result()).className())
                    .isEqualTo("java.lang.StackOverflowError");
            assertThat(f.recycle()).isTrue();
        } finally {
            f.result().release();
        }
        // the daemon exits after this answer: the worker takes no further task (as with maxTasks)
        assertThat(done.poll(300, TimeUnit.MILLISECONDS))
                .as("nothing runs after a recycle answer")
                .isNull();
        assertThat(after.refCnt()).as("never taken").isEqualTo(1);
    }

    private static int recurse() {
        return recurse() + 1;
    }

    @AfterEach
    void shutdown() {
        runner.shutdown();
    }

    private ByteBuf payload(Object task) {
        return codec.encode(ALLOC, task);
    }

    private Finished next() throws InterruptedException {
        Finished f = done.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a task finished within 10 s").isNotNull();
        return f;
    }

    @Test
    void shouldRunATaskAndHandBackItsValueWithTheAttempt() throws Exception {
        runner.maxFrameLength(1 << 20);
        ByteBuf payload = payload((Callable<Integer> & Serializable) () -> 6 * 7);
        runner.enqueue(1, payload, 3);
        Finished f = next();
        assertThat(starts.poll()).as("the start was reported before the result").isEqualTo(1L);
        awaitIdle();
        assertThat(payload.refCnt()).as("the worker released the payload").isZero();
        assertThat(f.id()).isEqualTo(1);
        assertThat(f.attempt()).isEqualTo(3);
        assertThat(f.flags()).isZero();
        assertThat(codec.decode(f.result())).isEqualTo(42);
        f.result().release();
    }

    @Test
    void shouldInterruptTheRunningTaskOnCancelAndFlagItsResult() throws Exception {
        runner.maxFrameLength(1 << 20);
        runner.enqueue(
                5,
                payload((Callable<Integer> & Serializable) () -> {
                    STARTED.countDown();
                    Thread.sleep(30_000);
                    return 1;
                }),
                1);
        assertThat(STARTED.await(10, TimeUnit.SECONDS)).as("task started").isTrue();
        assertThat(runner.cancel(5))
                .as("a running task is interrupted, not dropped")
                .isFalse();
        Finished f = next();
        assertThat(f.flags() & FrameType.Flags.RESULT_CANCELLED).isNotZero();
        assertThat(f.flags() & FrameType.Flags.RESULT_ERROR).isNotZero();
        assertThat(RemoteError.decode(f.result()).className()).isEqualTo(InterruptedException.class.getName());
        f.result().release();
        assertThat(runner.ignoringCancel()).as("it answered").isFalse();
    }

    /** Holds the worker in a task until the test opens it; a static field, since tasks are decoded copies. */
    private static volatile CountDownLatch gate;

    private static final Callable<Integer> BLOCKER = (Callable<Integer> & Serializable) () -> {
        gate.await(20, TimeUnit.SECONDS);
        return 1;
    };

    private void awaitIdle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runner.isBusy()) {
            assertThat(System.nanoTime()).as("runner idle within 10 s").isLessThan(deadline);
            Thread.yield();
        }
    }

    @Test
    void shouldDropAWaitingTaskOnCancelAndKeepTheOthersInOrder() throws Exception {
        runner.maxFrameLength(1 << 20);
        gate = new CountDownLatch(1);
        runner.enqueue(1, payload(BLOCKER), 1);
        ByteBuf second = payload((Callable<Integer> & Serializable) () -> 2);
        ByteBuf third = payload((Callable<Integer> & Serializable) () -> 3);
        runner.enqueue(2, second, 1);
        runner.enqueue(3, third, 1);
        assertThat(starts.poll(10, TimeUnit.SECONDS)).as("the blocker runs").isEqualTo(1L);
        assertThat(runner.cancel(2)).as("dropped: the caller answers for it").isTrue();
        assertThat(second.refCnt()).isZero();
        assertThat(runner.cancel(9)).as("unknown id: nothing to do").isFalse();
        gate.countDown();
        Finished first = next();
        Finished last = next();
        assertThat(first.id()).isEqualTo(1);
        assertThat(last.id()).isEqualTo(3);
        assertThat(codec.decode(last.result())).isEqualTo(3);
        first.result().release();
        last.result().release();
        awaitIdle();
        assertThat(done).isEmpty();
    }

    @Test
    void shouldGiveBackAWaitingTaskOnRecallAndLeaveTheRunningOneAlone() throws Exception {
        runner.maxFrameLength(1 << 20);
        gate = new CountDownLatch(1);
        runner.enqueue(1, payload(BLOCKER), 1);
        ByteBuf second = payload((Callable<Integer> & Serializable) () -> 2);
        ByteBuf third = payload((Callable<Integer> & Serializable) () -> 3);
        runner.enqueue(2, second, 1);
        runner.enqueue(3, third, 1);
        assertThat(starts.poll(10, TimeUnit.SECONDS)).as("the blocker runs").isEqualTo(1L);
        assertThat(runner.recall(1)).as("running: not recalled").isFalse();
        assertThat(runner.recall(3))
                .as("waiting: dropped, the caller answers for it")
                .isTrue();
        assertThat(third.refCnt()).isZero();
        assertThat(runner.recall(3)).as("a second recall finds nothing").isFalse();
        assertThat(runner.recall(9)).as("unknown id").isFalse();
        gate.countDown();
        Finished first = next();
        Finished last = next();
        assertThat(first.id()).isEqualTo(1);
        assertThat(first.flags()).as("not interrupted, not cancelled").isZero();
        assertThat(codec.decode(first.result())).isEqualTo(1);
        assertThat(last.id()).isEqualTo(2);
        first.result().release();
        last.result().release();
        awaitIdle();
        assertThat(done).isEmpty();
        assertThat(starts).containsExactly(2L);
    }

    @Test
    void shouldEitherRecallATaskOrRunItButNeverBoth() throws Exception {
        runner.maxFrameLength(1 << 20);
        int recalled = 0;
        for (int i = 0; i < 200; i++) {
            long id = 100 + i;
            runner.enqueue(id, payload((Callable<Integer> & Serializable) () -> 1), 1);
            if (i % 2 == 0) {
                Thread.yield(); // sometimes the worker takes it first
            }
            if (runner.recall(id)) {
                recalled++;
            } else {
                Finished f = next();
                assertThat(f.id()).isEqualTo(id);
                assertThat(f.flags()).isZero();
                f.result().release();
            }
            awaitIdle();
        }
        assertThat(done).as("a recalled task never answers").isEmpty();
        assertThat(starts.size() + recalled).as("each task exactly once").isEqualTo(200);
    }

    @Test
    void shouldReleaseTheBacklogWhenDropped() throws Exception {
        runner.maxFrameLength(1 << 20);
        gate = new CountDownLatch(1);
        runner.enqueue(1, payload(BLOCKER), 1);
        assertThat(starts.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
        ByteBuf waiting = payload((Callable<Integer> & Serializable) () -> 2);
        runner.enqueue(2, waiting, 1);
        runner.dropBacklog();
        assertThat(waiting.refCnt()).isZero();
        gate.countDown();
        next().result().release();
        awaitIdle();
        assertThat(done).isEmpty();
        assertThat(starts).isEmpty();
    }

    @Test
    void shouldTakeQueuedTasksWithoutTheLoopAndHandBackABatchWithOneWakeUp() throws Exception {
        ManualLoop loop = new ManualLoop();
        List<Long> order = new ArrayList<>();
        int[] drains = {0};
        TaskRunner batching = new TaskRunner(
                config(0),
                ALLOC,
                loop,
                new ResultOutbox.Sink() {
                    @Override
                    public void started(long id) {}

                    @Override
                    public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                        order.add(id);
                        result.release();
                    }

                    @Override
                    public void drained() {
                        drains[0]++;
                    }
                },
                false);
        try {
            batching.maxFrameLength(1 << 20);
            gate = new CountDownLatch(1);
            batching.enqueue(1, payload(BLOCKER), 1);
            for (long id = 2; id <= 4; id++) {
                long v = id;
                batching.enqueue(id, payload((Callable<Long> & Serializable) () -> v), 1);
            }
            gate.countDown();
            // the loop does not run: the worker must take 2, 3 and 4 on its own, and wake the loop only once
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!batching.workerIdle()) {
                assertThat(System.nanoTime()).as("worker done within 10 s").isLessThan(deadline);
                Thread.yield();
            }
            assertThat(batching.loopWakeups())
                    .as("one wake-up for four results")
                    .isEqualTo(1);
            assertThat(loop.runAll()).isEqualTo(1);
            assertThat(order).containsExactly(1L, 2L, 3L, 4L);
            assertThat(drains[0]).as("one flush for the batch").isEqualTo(1);

            // a lone result later is not held back for company: it wakes the loop at once
            batching.enqueue(5, payload((Callable<Integer> & Serializable) () -> 5), 1);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.size() == 0) {
                assertThat(System.nanoTime())
                        .as("lone result handed back within 10 s")
                        .isLessThan(deadline);
                Thread.yield();
            }
            assertThat(loop.runAll()).isEqualTo(1);
            assertThat(order).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(batching.loopWakeups()).isEqualTo(2);
        } finally {
            batching.shutdown();
        }
    }

    @Test
    void shouldHaveNoTaskWhenTheLastResultIsDrainedEvenBeforeTheWorkerMarksItFinished() throws Exception {
        // The loop runs the drain at once, on the worker, inside its hand-off: exactly the window in which the
        // daemon's idle clock used to be skipped for good (isBusy() still true), so an idle daemon never exited.
        BlockingQueue<Boolean[]> atDrain = new LinkedBlockingQueue<>();
        TaskRunner[] self = new TaskRunner[1];
        TaskRunner eager = new TaskRunner(
                config(0),
                ALLOC,
                Runnable::run,
                new ResultOutbox.Sink() {
                    @Override
                    public void started(long id) {}

                    @Override
                    public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                        result.release();
                    }

                    @Override
                    public void drained() {
                        atDrain.add(new Boolean[] {self[0].hasTask(), self[0].isBusy()});
                    }
                },
                false);
        self[0] = eager;
        try {
            eager.maxFrameLength(1 << 20);
            eager.enqueue(1, payload((Callable<Integer> & Serializable) () -> 1), 1);
            Boolean[] seen = atDrain.poll(10, TimeUnit.SECONDS);
            assertThat(seen).as("drained within 10 s").isNotNull();
            assertThat(seen[1])
                    .as("the worker is still finishing when its result is drained")
                    .isTrue();
            assertThat(seen[0])
                    .as("but it has no task: the idle clock may start")
                    .isFalse();
        } finally {
            eager.shutdown();
        }
    }

    @Test
    void shouldStopTakingTasksAtMaxTasksAndWhenHeld() throws Exception {
        BlockingQueue<Long> finished = new LinkedBlockingQueue<>();
        ResultOutbox.Sink sink = new ResultOutbox.Sink() {
            @Override
            public void started(long id) {}

            @Override
            public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                finished.add(id);
                result.release();
            }

            @Override
            public void drained() {}
        };
        TaskRunner limited = new TaskRunner(config(2), ALLOC, Runnable::run, sink, false);
        ByteBuf third = payload((Callable<Integer> & Serializable) () -> 3);
        try {
            limited.maxFrameLength(1 << 20);
            limited.enqueue(1, payload((Callable<Integer> & Serializable) () -> 1), 1);
            limited.enqueue(2, payload((Callable<Integer> & Serializable) () -> 2), 1);
            limited.enqueue(3, third, 1);
            assertThat(finished.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
            assertThat(finished.poll(10, TimeUnit.SECONDS)).isEqualTo(2L);
            assertThat(limited.isBusy()).as("the third waits: the limit is two").isTrue();
            assertThat(third.refCnt()).as("never taken").isEqualTo(1);
            limited.dropBacklog();
            assertThat(third.refCnt()).isZero();
            assertThat(finished).isEmpty();
        } finally {
            limited.shutdown();
        }

        TaskRunner held = new TaskRunner(config(0), ALLOC, Runnable::run, sink, false);
        ByteBuf waiting = payload((Callable<Integer> & Serializable) () -> 7);
        try {
            held.hold();
            held.enqueue(7, waiting, 1);
            assertThat(finished.poll(200, TimeUnit.MILLISECONDS))
                    .as("held: nothing runs")
                    .isNull();
            assertThat(waiting.refCnt()).isEqualTo(1);
        } finally {
            held.shutdown();
        }
        assertThat(waiting.refCnt()).as("shutdown drops what waits").isZero();
    }

    /** An event loop that runs what it is given only when the test says so. */
    private static final class ManualLoop implements Executor {
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        int size() {
            return tasks.size();
        }

        int runAll() {
            int n = 0;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                n++;
            }
            return n;
        }
    }

    @Test
    void shouldReportNoTaskToInterruptWhenIdle() {
        assertThat(runner.interruptBySignal()).isFalse();
        assertThat(runner.isBusy()).isFalse();
    }

    @Test
    void shouldPutTheDaemonBackToItsStartStateOnAReset() throws Exception {
        runner.maxFrameLength(1 << 20);
        String dir = System.getProperty("user.dir");
        runner.enqueue(
                1,
                payload(io.jmirai.api.internal.TaskEnvelope.setup((Callable<Integer> & Serializable) () -> {
                    io.jmirai.api.DaemonContext.put("model", "m1");
                    System.setProperty("jmirai.runner.reset", "set");
                    System.setProperty("user.dir", "/tmp");
                    return 0;
                })),
                1);
        next().result().release();
        runner.enqueue(
                2, payload((Callable<Object> & Serializable) () -> System.getProperty("jmirai.runner.reset")), 1);
        Finished kept = next();
        assertThat(codec.decode(kept.result()))
                .as("a setup's property persists")
                .isEqualTo("set");
        kept.result().release();

        runner.enqueue(3, payload(io.jmirai.api.internal.TaskEnvelope.resetting()), 1);
        Finished reset = next();
        assertThat(codec.decode(reset.result())).as("context entries dropped").isEqualTo(1);
        reset.result().release();
        assertThat(System.getProperty("jmirai.runner.reset")).isNull();
        assertThat(System.getProperty("user.dir")).isEqualTo(dir);
        assertThat(io.jmirai.api.DaemonContext.keys()).isEmpty();

        runner.enqueue(
                4, payload((Callable<Object> & Serializable) () -> System.getProperty("jmirai.runner.reset")), 1);
        Finished after = next();
        assertThat(codec.decode(after.result()))
                .as("and stays reset after cleanup")
                .isNull();
        after.result().release();
    }
}
