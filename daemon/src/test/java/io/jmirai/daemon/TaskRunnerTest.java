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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    private final TaskRunner runner = new TaskRunner(
            new DaemonConfig(
                    ListenUrl.parse("tcp://127.0.0.1:1"),
                    new byte[] {1},
                    0,
                    "",
                    AutoExit.NOW,
                    null,
                    null,
                    0,
                    false,
                    true,
                    TaskRunnerTest.class.getClassLoader(),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    null),
            ALLOC,
            Runnable::run,
            (id, answer, attempt) ->
                    done.add(new Finished(id, answer.flags(), answer.payload(), attempt, answer.recycle())));

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
        runner.start(
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
        runner.start(6, payload((Callable<Integer> & Serializable) TaskRunnerTest::recurse), 1);
        Finished f = next();
        try {
            assertThat(f.flags()).isEqualTo(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR);
            assertThat(io.jmirai.transport.serial.RemoteError.decode(f.result()).className())
                    .isEqualTo("java.lang.StackOverflowError");
            assertThat(f.recycle()).isTrue();
        } finally {
            f.result().release();
        }
    }

    private static int recurse() {
        return recurse() + 1;
    }

    @AfterEach
    void shutdown() {
        runner.shutdown();
    }

    private ByteBuf payload(Callable<?> task) {
        return codec.encode(ALLOC, task);
    }

    private Finished next() throws InterruptedException {
        Finished f = done.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a task finished within 10 s").isNotNull();
        runner.finished(); // what the daemon does on its loop
        return f;
    }

    @Test
    void shouldRunATaskAndHandBackItsValueWithTheAttempt() throws Exception {
        runner.maxFrameLength(1 << 20);
        ByteBuf payload = payload((Callable<Integer> & Serializable) () -> 6 * 7);
        runner.start(1, payload, 3);
        assertThat(runner.isBusy()).isTrue();
        Finished f = next();
        assertThat(runner.isBusy()).isFalse();
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
        runner.start(
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

    @Test
    void shouldDropAWaitingTaskOnCancelAndKeepTheOthersInOrder() {
        ByteBuf second = payload((Callable<Integer> & Serializable) () -> 2);
        ByteBuf third = payload((Callable<Integer> & Serializable) () -> 3);
        runner.park(2, second);
        runner.park(3, third);
        assertThat(runner.cancel(2)).as("dropped: the caller answers for it").isTrue();
        assertThat(second.refCnt()).isZero();
        assertThat(runner.cancel(9)).as("unknown id: nothing to do").isFalse();
        TaskRunner.Waiting next = runner.nextWaiting();
        assertThat(next.id()).isEqualTo(3);
        assertThat(runner.nextWaiting()).isNull();
        next.payload().release();
    }

    @Test
    void shouldReleaseTheBacklogWhenDropped() {
        ByteBuf waiting = payload((Callable<Integer> & Serializable) () -> 2);
        runner.park(2, waiting);
        runner.dropBacklog();
        assertThat(waiting.refCnt()).isZero();
        assertThat(runner.nextWaiting()).isNull();
    }

    @Test
    void shouldReportNoTaskToInterruptWhenIdle() {
        assertThat(runner.interruptBySignal()).isFalse();
        assertThat(runner.isBusy()).isFalse();
    }
}
