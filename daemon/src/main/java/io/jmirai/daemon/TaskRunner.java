package io.jmirai.daemon;

import io.jmirai.api.internal.TaskEnvelope;
import io.jmirai.api.internal.TaskScope;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.TaskTrace;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * Runs a daemon's tasks, one at a time, in arrival order, on a single worker thread: decodes the payload, calls the
 * task, builds its {@link TaskAnswer} (which always exists, however the task ended), and restores the cleanup baseline
 * ({@link CleanupBaseline}) that a successful {@code everywhere} setup moves. Tasks that arrive while one runs wait
 * in the worker's queue, and the worker takes the next one as soon as it has finished one, without a round trip
 * through the event loop; results go back to the loop through a {@link ResultOutbox} (one wake-up per batch). A
 * cancel interrupts the running task (its RESULT carries {@code RESULT_CANCELLED}) or drops a waiting one; a recall
 * drops a waiting one and leaves a running one alone; a signal
 * ({@link #interruptBySignal}) interrupts with {@code RESULT_INTERRUPTED}. The worker stops taking tasks after
 * {@code maxTasks} of them, after {@link #hold()}, and after an answer that asks to recycle the daemon.
 *
 * <p>Threading: {@link #enqueue}, {@link #cancel}, {@link #recall}, {@link #hold}, {@link #dropBacklog} are called on the daemon's
 * event loop; {@link #interruptBySignal} is thread-safe; tasks run on the worker. The queue, the running task's state
 * (thread, id, cancel and signal flags) and the counters are guarded by one lock; the cleanup baseline is the
 * worker's alone.
 */
final class TaskRunner {
    private final DaemonConfig config;
    private final KryoCodec codec;
    private final ClassFetcher classes; // null: no remote class loading
    private final ByteBufAllocator alloc;
    private final ResultOutbox outbox;
    private final boolean reportStarts;
    private final TaskTracer tracer; // null: none (tasks' trace contexts are ignored)
    private final Thread worker;
    private final Object taskLock = new Object();

    // The cleanup baseline: read and written by the worker only (after construction).
    private final CleanupBaseline baseline;

    // Written on the event loop at authentication, read by the worker.
    private volatile int maxFrameLength = FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH;

    // Guarded by taskLock.
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    private Thread taskThread;
    private long runningId;
    private boolean taskActive;
    private boolean finishing; // answered (flags fixed), result not yet in the outbox
    private boolean cancelRequested;
    private boolean signalled;
    private boolean held;
    private boolean shutdown;
    private int taken;

    /**
     * A runner with the configuration's class loader, without remote class loading or a tracer.
     *
     * @param loop the daemon's event loop: results are handed back there
     * @param sink takes the results on the loop
     * @param reportStarts whether the sink is told when the worker takes a task (costs a hand-off per task)
     */
    TaskRunner(
            DaemonConfig config, ByteBufAllocator alloc, Executor loop, ResultOutbox.Sink sink, boolean reportStarts) {
        this(config, config.classLoader(), null, alloc, loop, sink, reportStarts, null);
    }

    /**
     * @param taskLoader decodes and loads the tasks' classes (the worker's context class loader too)
     * @param classes told which task runs, for remote class loading's requests; null when it is off
     * @param tracer traces the tasks that come with a trace context, or null
     */
    TaskRunner(
            DaemonConfig config,
            ClassLoader taskLoader,
            ClassFetcher classes,
            ByteBufAllocator alloc,
            Executor loop,
            ResultOutbox.Sink sink,
            boolean reportStarts,
            TaskTracer tracer) {
        this.config = config;
        this.classes = classes;
        this.codec = new KryoCodec(taskLoader);
        TaskAnswer.prepare();
        this.alloc = alloc;
        this.outbox = new ResultOutbox(loop, sink);
        this.reportStarts = reportStarts;
        this.tracer = tracer;
        this.baseline = new CleanupBaseline();
        this.worker = new Thread(this::work, "jmirai-task");
        worker.setDaemon(true);
        worker.setContextClassLoader(taskLoader);
        worker.start();
    }

    /** A task waiting for the worker; {@code trace} is the context the host carried with it, or null. */
    record Waiting(long id, ByteBuf payload, int attempt, TaskTrace trace) {}

    /**
     * @return whether the daemon has work: a task running or waiting, or news of one not yet back on the loop. Its
     *     idle clock runs only when this is false.
     */
    boolean isBusy() {
        synchronized (taskLock) {
            if (taskActive || finishing || !queue.isEmpty()) {
                return true;
            }
        }
        return outbox.isPending();
    }

    /**
     * @return whether a task runs or waits for the worker. Unlike {@link #isBusy()} this ignores a task whose RESULT
     *     is already in the outbox while the worker has not yet marked it finished: when the loop drains that RESULT,
     *     the worker may still be in that short step, and the idle clock must start all the same (nothing else would
     *     start it: an sbatch daemon with {@code --idletime} then never exited).
     */
    boolean hasTask() {
        synchronized (taskLock) {
            return taskActive || !queue.isEmpty();
        }
    }

    /** The host's frame limit, once authenticated: a larger result is reported as an error. */
    void maxFrameLength(int value) {
        this.maxFrameLength = value;
    }

    /** Queues a task for the worker (which takes it at once if idle); the worker releases the payload. */
    void enqueue(long id, ByteBuf payload, int attempt) {
        enqueue(id, payload, attempt, null);
    }

    /** Queues a task that came with a trace context ({@code trace}, or null for none). */
    void enqueue(long id, ByteBuf payload, int attempt, TaskTrace trace) {
        synchronized (taskLock) {
            if (shutdown) {
                payload.release();
                return;
            }
            queue.add(new Waiting(id, payload, attempt, trace));
            taskLock.notifyAll();
        }
    }

    /** The worker takes no further task (the daemon will exit after the running one). */
    void hold() {
        synchronized (taskLock) {
            held = true;
        }
    }

    /** Drops every waiting task (the connection they came on is gone, or the daemon exits). */
    void dropBacklog() {
        synchronized (taskLock) {
            Waiting w;
            while ((w = queue.poll()) != null) {
                w.payload().release();
            }
        }
    }

    /** @return whether the running task was cancelled and has not yet answered */
    boolean ignoringCancel() {
        synchronized (taskLock) {
            return taskActive && cancelRequested;
        }
    }

    /**
     * Cancels task {@code id}: interrupts it if it runs, drops it if it waits.
     *
     * @return true if it was waiting and was dropped (the caller answers for it at once)
     */
    boolean cancel(long id) {
        synchronized (taskLock) {
            if (taskActive && runningId == id) {
                cancelRequested = true;
                if (taskThread != null) {
                    taskThread.interrupt();
                }
                return false;
            }
            return dropWaiting(id);
        }
    }

    /**
     * Takes back task {@code id} if it waits (the host recalls it to run it elsewhere); a running or finished task is
     * left alone. The check and the removal hold the queue's lock, so the worker either has taken the task (it runs,
     * and answers as usual) or never will.
     *
     * @return true if it was waiting and was dropped (the caller answers {@code RESULT_RECALLED} at once)
     */
    boolean recall(long id) {
        synchronized (taskLock) {
            return dropWaiting(id);
        }
    }

    /** @return whether task {@code id} was waiting, now dropped and its payload released. Holds taskLock. */
    private boolean dropWaiting(long id) {
        for (Iterator<Waiting> it = queue.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.id() == id) {
                it.remove();
                w.payload().release();
                return true;
            }
        }
        return false;
    }

    /** See {@link Daemon#interruptBySignal()}. Thread-safe. */
    boolean interruptBySignal() {
        synchronized (taskLock) {
            if (!taskActive) {
                return false;
            }
            signalled = true;
            if (taskThread != null) {
                taskThread.interrupt();
            }
            return true;
        }
    }

    /** @return whether the worker has nothing running, finishing or queued (its news may still be in the outbox) */
    boolean workerIdle() {
        synchronized (taskLock) {
            return !taskActive && !finishing && queue.isEmpty();
        }
    }

    /** @return how many times results woke the event loop (for tests and measurements) */
    long loopWakeups() {
        return outbox.wakeups();
    }

    /** Stops the worker thread (interrupting a running task) and drops the waiting ones. */
    void shutdown() {
        synchronized (taskLock) {
            shutdown = true;
            taskLock.notifyAll();
        }
        dropBacklog();
        worker.interrupt();
    }

    /** The worker's loop: take the next task (waiting only when there is none), run it, hand back its result. */
    private void work() {
        while (true) {
            Waiting next = take();
            if (next == null) {
                return;
            }
            if (reportStarts) {
                outbox.started(next.id());
            }
            if (next.trace() != null && tracer != null) {
                traced(next);
            } else {
                run(next.id(), next.payload(), next.attempt());
            }
        }
    }

    /** @return the next task, marked running; null once shut down */
    private Waiting take() {
        synchronized (taskLock) {
            while (!shutdown && (queue.isEmpty() || held || limitReached())) {
                try {
                    taskLock.wait();
                } catch (InterruptedException e) {
                    // a stale interrupt (a cancel racing the end of a task) or shutdown: the loop condition decides
                }
            }
            if (shutdown) {
                return null;
            }
            Waiting w = queue.poll();
            taken++;
            runningId = w.id();
            taskActive = true;
            cancelRequested = false;
            signalled = false;
            return w;
        }
    }

    private boolean limitReached() {
        return config.maxTasks() > 0 && taken >= config.maxTasks();
    }

    /** Runs a task inside the tracer's span, which ends with the task's outcome before its RESULT leaves. */
    private void traced(Waiting w) {
        TaskTracer.Evaluation span = TaskTracers.start(
                tracer, w.id(), w.trace().daemonId(), w.trace().context());
        run(w.id(), w.payload(), w.attempt(), span);
    }

    private void run(long id, ByteBuf payload, int attempt) {
        run(id, payload, attempt, null);
    }

    private void run(long id, ByteBuf payload, int attempt, TaskTracer.Evaluation span) {
        TaskAnswer answer = null;
        boolean setup = false;
        boolean reset = false;
        if (classes != null) {
            classes.running(id);
        }
        try {
            Object decoded;
            try {
                decoded = codec.decode(payload);
            } finally {
                payload.release();
            }
            TaskEnvelope envelope = decoded instanceof TaskEnvelope e ? e : null;
            Object task = envelope != null ? envelope.task() : decoded;
            setup = envelope != null && envelope.setup();
            reset = envelope != null && envelope.reset();
            TaskScope.enter(envelope);
            if (!(task instanceof Callable<?> callable)) {
                throw new IllegalArgumentException("payload is not a task: class="
                        + (task == null ? "null" : task.getClass().getName()));
            }
            synchronized (taskLock) {
                if (cancelRequested || signalled) {
                    throw new InterruptedException("task interrupted before it started");
                }
                Thread.interrupted(); // a stale interrupt from an earlier cancel must not hit this task
                taskThread = Thread.currentThread();
            }
            Object value = callable.call();
            answer = TaskAnswer.ofValue(codec, alloc, value, TaskAnswer.maxPayloadLength(maxFrameLength));
        } catch (Throwable t) { // whatever the task threw, even an error whose own methods throw: it is answered
            answer = TaskAnswer.ofThrowable(alloc, t);
        } finally {
            answer = finishScope(answer, setup, reset);
        }
        if (span != null) {
            TaskTracers.finish(span, id, answer.flags());
        }
        synchronized (taskLock) {
            if (answer.recycle()) {
                held = true; // the daemon exits after this answer: the worker takes no further task
            }
        }
        // in the outbox before it stops counting as finishing: the daemon never looks idle in between
        outbox.finished(id, answer.flags(), answer.payload(), attempt, answer.recycle());
        synchronized (taskLock) {
            finishing = false;
        }
    }

    /** Ends the task's scope and restores (or commits) the baseline; whatever fails here recycles the daemon. */
    private TaskAnswer finishScope(TaskAnswer answer, boolean setup, boolean reset) {
        if (answer == null) { // only if building the answer itself failed in a way it promises not to
            answer = TaskAnswer.ofThrowable(alloc, new IllegalStateException("task ended without an answer"));
        }
        int flags = 0;
        synchronized (taskLock) {
            taskThread = null;
            taskActive = false;
            finishing = true;
            if (cancelRequested) {
                flags |= FrameType.Flags.RESULT_CANCELLED;
            }
            if (signalled) {
                flags |= FrameType.Flags.RESULT_INTERRUPTED;
            }
        }
        Thread.interrupted();
        try {
            TaskScope.exit();
            if (reset) {
                baseline.reset();
            } else if (setup && answer.flags() == 0) {
                baseline.commit();
            } else if (config.cleanup()) {
                baseline.restore();
            }
        } catch (Throwable t) {
            return answer.withFlags(flags).recycleIf(true);
        }
        return answer.withFlags(flags);
    }
}
