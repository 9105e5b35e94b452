package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.AutoExit;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.TaskTrace;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's {@link TaskTracer} hook in {@link TaskRunner}, by plain calls: called on the worker thread for a task
 * that came with a trace context, with the host's ids and the task's outcome code, before the result is handed back;
 * never for a task without one; and a tracer that throws does not hurt the task.
 */
@Timeout(30)
class TaskRunnerTracingTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final KryoCodec codec = new KryoCodec(TaskRunnerTracingTest.class.getClassLoader());
    private final BlockingQueue<String> done = new LinkedBlockingQueue<>();
    private final List<String> traced = new CopyOnWriteArrayList<>();
    private volatile boolean throwing;

    private final TaskTracer tracer = (taskId, daemonId, context) -> {
        if (throwing) {
            throw new IllegalStateException("a broken tracer");
        }
        String worker = Thread.currentThread().getName();
        traced.add("started " + taskId + " " + daemonId + " " + context + " on " + worker);
        return code -> traced.add("finished " + taskId + " " + code + " on "
                + Thread.currentThread().getName());
    };

    private final TaskRunner runner = new TaskRunner(
            config(),
            TaskRunnerTracingTest.class.getClassLoader(),
            null,
            ALLOC,
            Runnable::run,
            new ResultOutbox.Sink() {
                @Override
                public void started(long id) {}

                @Override
                public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
                    // by now the tracer's span for this task has ended: it is recorded before the result leaves
                    done.add(id + " flags=" + flags + " traced=" + traced.size());
                    result.release();
                }

                @Override
                public void drained() {}
            },
            false,
            tracer);

    private static DaemonConfig config() {
        return new DaemonConfig(
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
                TaskRunnerTracingTest.class.getClassLoader(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                null,
                false);
    }

    @AfterEach
    void shutdown() {
        runner.shutdown();
    }

    @Test
    void shouldTraceATaskThatCameWithAContextOnTheWorkerWithItsOutcome() throws Exception {
        runner.maxFrameLength(1 << 20);
        runner.enqueue(1, payload((Callable<Integer> & Serializable) () -> 42), 1, new TaskTrace(TRACEPARENT, "3"));
        assertThat(next()).isEqualTo("1 flags=0 traced=2");
        runner.enqueue(
                2,
                payload((Callable<Integer> & Serializable) () -> {
                    throw new IllegalStateException("boom");
                }),
                1,
                new TaskTrace(TRACEPARENT, "3"));
        assertThat(next()).isEqualTo("2 flags=1 traced=4");
        assertThat(traced)
                .containsExactly(
                        "started 1 3 " + TRACEPARENT + " on jmirai-task",
                        "finished 1 0 on jmirai-task",
                        "started 2 3 " + TRACEPARENT + " on jmirai-task",
                        "finished 2 100 on jmirai-task");
    }

    @Test
    void shouldNotCallTheTracerForATaskWithoutAContext() throws Exception {
        runner.maxFrameLength(1 << 20);
        runner.enqueue(1, payload((Callable<Integer> & Serializable) () -> 42), 1);
        assertThat(next()).isEqualTo("1 flags=0 traced=0");
        assertThat(traced).isEmpty();
    }

    @Test
    void shouldRunTheTaskWhenTheTracerThrows() throws Exception {
        runner.maxFrameLength(1 << 20);
        throwing = true;
        runner.enqueue(1, payload((Callable<Integer> & Serializable) () -> 42), 1, new TaskTrace(TRACEPARENT, "1"));
        assertThat(next()).isEqualTo("1 flags=0 traced=0");
    }

    @Test
    void shouldMapResultFlagsToTheHostsOutcomeCodes() {
        assertThat(TaskTracers.outcomeCode(0)).isZero();
        assertThat(TaskTracers.outcomeCode(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR))
                .isEqualTo(100);
        assertThat(TaskTracers.outcomeCode(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR
                        | io.jmirai.transport.protocol.FrameType.Flags.RESULT_CANCELLED))
                .isEqualTo(20);
        assertThat(TaskTracers.outcomeCode(io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR
                        | io.jmirai.transport.protocol.FrameType.Flags.RESULT_INTERRUPTED))
                .isEqualTo(101);
    }

    private ByteBuf payload(Object task) {
        return codec.encode(ALLOC, task);
    }

    private String next() throws InterruptedException {
        String f = done.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a task finished within 10 s").isNotNull();
        return f;
    }
}
