package io.jmirai.daemon;

import io.jmirai.api.internal.TaskEnvelope;
import io.jmirai.api.internal.TaskScope;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a daemon's tasks, one at a time, on a single worker thread: decodes the payload, calls the task, builds its
 * {@link TaskAnswer} (which always exists, however the task ended), and restores the cleanup baseline (system properties, locale, time
 * zone, {@code DaemonContext}) that a successful {@code everywhere} setup moves. Tasks that arrive while one runs
 * wait in a backlog. A cancel interrupts the running task (its RESULT carries {@code RESULT_CANCELLED}) or drops a
 * waiting one; a signal ({@link #interruptBySignal}) interrupts with {@code RESULT_INTERRUPTED}.
 *
 * <p>Threading: {@link #start}, {@link #park}, {@link #cancel}, the backlog and the busy flag are confined to the
 * daemon's event loop; {@link #interruptBySignal} is thread-safe; the task runs on the worker, which hands its
 * result back to the loop through the {@link Finisher}. State the loop and the worker share (the task's thread, the
 * running id, the cancel and signal flags) is guarded by one lock; the cleanup baseline is the worker's alone.
 */
final class TaskRunner {
    /** Takes a finished task's RESULT on the event loop. */
    interface Finisher {
        /**
         * @param answer the RESULT's flags and payload (ownership passes to the finisher), and whether to recycle
         * @param attempt the connection attempt the task arrived on
         */
        void finished(long id, TaskAnswer answer, int attempt);
    }

    private final DaemonConfig config;
    private final KryoCodec codec;
    private final ByteBufAllocator alloc;
    private final Executor loop;
    private final Finisher finisher;
    private final ExecutorService worker;
    private final Object taskLock = new Object();

    // The cleanup baseline: read and written by the worker only (after construction).
    private Properties propertiesSnapshot;
    private Locale localeSnapshot;
    private TimeZone timeZoneSnapshot;

    // Confined to the event loop.
    private boolean busy;
    private final ArrayDeque<Waiting> backlog = new ArrayDeque<>();

    // Written on the event loop at authentication, read by the worker.
    private volatile int maxFrameLength = FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH;

    // Shared between the event loop and the worker, guarded by taskLock.
    private Thread taskThread;
    private long runningId;
    private boolean taskActive;
    private boolean cancelRequested;
    private boolean signalled;

    TaskRunner(DaemonConfig config, ByteBufAllocator alloc, Executor loop, Finisher finisher) {
        this.config = config;
        this.codec = new KryoCodec(config.classLoader());
        TaskAnswer.prepare();
        this.alloc = alloc;
        this.loop = loop;
        this.finisher = finisher;
        this.propertiesSnapshot = copy(System.getProperties());
        this.localeSnapshot = Locale.getDefault();
        this.timeZoneSnapshot = TimeZone.getDefault();
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jmirai-task");
            t.setDaemon(true);
            t.setContextClassLoader(config.classLoader());
            return t;
        });
    }

    /** A task that arrived while another ran. */
    record Waiting(long id, ByteBuf payload) {}

    /** @return whether a task is running (from {@link #start} until its result is back on the loop) */
    boolean isBusy() {
        return busy;
    }

    /** The host's frame limit, once authenticated: a larger result is reported as an error. */
    void maxFrameLength(int value) {
        this.maxFrameLength = value;
    }

    /** A task arrived while another runs: it waits. The backlog owns the payload. */
    void park(long id, ByteBuf payload) {
        backlog.add(new Waiting(id, payload));
    }

    /** @return the next waiting task, or null */
    Waiting nextWaiting() {
        return backlog.poll();
    }

    /** Drops every waiting task (the connection they came on is gone). */
    void dropBacklog() {
        Waiting w;
        while ((w = backlog.poll()) != null) {
            w.payload().release();
        }
    }

    /** Hands a task to the worker; the worker releases the payload. */
    void start(long id, ByteBuf payload, int attempt) {
        busy = true;
        synchronized (taskLock) {
            runningId = id;
            taskActive = true;
            cancelRequested = false;
            signalled = false;
        }
        worker.execute(() -> run(id, payload, attempt));
    }

    /** The finished task's result is back on the loop. */
    void finished() {
        busy = false;
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
            if (busy && runningId == id) {
                cancelRequested = true;
                if (taskThread != null) {
                    taskThread.interrupt();
                }
                return false;
            }
        }
        for (Iterator<Waiting> it = backlog.iterator(); it.hasNext(); ) {
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

    /** Stops the worker thread (interrupting a running task). */
    void shutdown() {
        worker.shutdownNow();
    }

    private void run(long id, ByteBuf payload, int attempt) {
        TaskAnswer answer = null;
        boolean setup = false;
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
            answer = finishScope(answer, setup);
        }
        TaskAnswer out = answer;
        loop.execute(() -> finisher.finished(id, out, attempt));
    }

    /** Ends the task's scope and restores (or commits) the baseline; whatever fails here recycles the daemon. */
    private TaskAnswer finishScope(TaskAnswer answer, boolean setup) {
        if (answer == null) { // only if building the answer itself failed in a way it promises not to
            answer = TaskAnswer.ofThrowable(alloc, new IllegalStateException("task ended without an answer"));
        }
        int flags = 0;
        synchronized (taskLock) {
            taskThread = null;
            taskActive = false;
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
            if (setup && answer.flags() == 0) {
                commitBaseline();
            } else if (config.cleanup()) {
                cleanup();
            }
        } catch (Throwable t) {
            return answer.withFlags(flags).recycleIf(true);
        }
        return answer.withFlags(flags);
    }

    private void cleanup() {
        System.setProperties(copy(propertiesSnapshot));
        Locale.setDefault(localeSnapshot);
        TimeZone.setDefault(timeZoneSnapshot);
        TaskScope.restoreBaseline();
    }

    /** After a successful {@code everywhere} setup: what it left becomes what cleanup restores. */
    private void commitBaseline() {
        propertiesSnapshot = copy(System.getProperties());
        localeSnapshot = Locale.getDefault();
        timeZoneSnapshot = TimeZone.getDefault();
        TaskScope.commitBaseline();
    }

    private static Properties copy(Properties p) {
        Properties copy = new Properties();
        copy.putAll(p);
        return copy;
    }
}
