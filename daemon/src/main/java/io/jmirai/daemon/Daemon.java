package io.jmirai.daemon;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import io.jmirai.api.internal.TaskEnvelope;
import io.jmirai.transport.Transports;
import io.jmirai.transport.log.Redact;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.TaskTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon: dials the host, authenticates, evaluates one task at a time on its own worker thread, and sends back the
 * value or the error. It exits by its limits (idle time, wall time, task count) or when the host goes away, as its
 * {@link AutoExit} says; {@link #exitCode()} completes with the process exit code ({@link ExitCode}).
 *
 * <p>Tasks that arrive while one runs wait in arrival order (a host without a dispatcher sends them straight away);
 * the host's dispatcher sends one at a time. A CANCEL frame interrupts the running task, or drops a waiting one and
 * answers for it at once; either way the RESULT carries {@code RESULT_CANCELLED}. A RECALL frame drops a waiting task
 * and answers {@code RESULT_RECALLED} at once (the host runs it elsewhere); a task already started runs on. {@link #interruptBySignal()} (wired
 * to SIGINT by {@link DaemonMain}) interrupts the running task, whose RESULT then carries {@code RESULT_INTERRUPTED}.
 * An {@code everywhere} setup ({@link TaskEnvelope#setup()}) moves the cleanup baseline: what it leaves in system
 * properties, locale, time zone and {@code DaemonContext} persists.
 *
 * <p>Structure: this class owns the event loop, the limits and the exit decision; the {@code Connector} dials,
 * redials and authenticates; the {@code TaskRunner} runs tasks on the worker. The data path: TASK frame →
 * {@code Connector} → {@code taskArrived} → {@code TaskRunner.enqueue} (the worker takes tasks in order, one after
 * the other) → {@code ResultOutbox} (one loop wake-up per batch) → {@code Results.finished} (loop) → RESULT frames
 * through {@code Connector.write}, one flush per batch.
 *
 * <p>Threading: connection state is confined to one event loop; tasks run on a single worker thread; a CANCEL frame
 * interrupts that thread. {@link #close()} is idempotent and thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonConfig config;
    private final PrintStream log;
    private final DaemonEvents events;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Connector connector;
    private final TaskRunner runner;
    /** Remote class loading's requests, or null when it is off ({@code --no-class-loading}). */
    private final ClassFetcher classes;

    // Confined to the event loop.
    private boolean hostGone;
    private boolean wallTimeReached;
    private boolean exiting;
    private boolean retired;
    private int tasksDone;
    private ScheduledFuture<?> idleTimer;

    private Daemon(DaemonConfig config, PrintStream log, DaemonEvents events) {
        this.config = config;
        this.log = log;
        this.events = Objects.requireNonNull(events, "events");
        this.group = Transports.newGroup(1, "jmirai-daemon-io");
        this.loop = group.next();
        // remote class loading: classes the daemon lacks come from the host, asked through the connector
        this.classes = config.classLoading() ? new ClassFetcher(loop, this::requestClass) : null;
        ClassLoader taskLoader =
                classes != null ? RemoteClassLoader.over(config.classLoader(), classes) : config.classLoader();
        this.runner = new TaskRunner(
                config,
                taskLoader,
                classes,
                alloc,
                loop,
                new Results(),
                events != DaemonEvents.NOOP,
                TaskTracers.load(taskLoader)); // the loader the tasks see, so both share one OpenTelemetry
        this.connector = new Connector(this, config, loop, classes);
    }

    /**
     * Starts a daemon: it dials at once and runs until a limit or the host ends it.
     *
     * @param config the configuration
     * @param log where the daemon's exit message goes (not the tasks' output); its events go to SLF4J
     */
    public static Daemon start(DaemonConfig config, PrintStream log) {
        return start(config, log, DaemonEvents.NOOP);
    }

    /**
     * Starts a daemon that tells {@code events} what it does.
     *
     * @param config the configuration
     * @param log where the daemon's exit message goes (not the tasks' output); its events go to SLF4J
     * @param events the observer, or {@link DaemonEvents#NOOP}
     */
    public static Daemon start(DaemonConfig config, PrintStream log, DaemonEvents events) {
        Daemon d = new Daemon(config, log, events);
        d.loop.execute(d::begin);
        return d;
    }

    /** @return completes with the process exit code when the daemon is done */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    private void begin() {
        LOG.info(
                "daemon starting: url={}, slot={}, pid={}, autoexit={}",
                Redact.url(config.url()),
                config.slot(),
                ProcessHandle.current().pid(),
                config.autoExit());
        if (config.wallTime() != null) {
            loop.schedule(this::wallTimeReached, config.wallTime().toNanos(), TimeUnit.NANOSECONDS);
        }
        armIdleTimer();
        connector.dial();
    }

    /** Remote class loading: sends a class request through the connector. On the event loop. */
    private String requestClass(long requestId, long taskId, String name) {
        return connector.requestClass(requestId, taskId, name);
    }

    /** The connector authenticated to the host. */
    void authenticated(int maxFrameLength) {
        runner.maxFrameLength(maxFrameLength);
        if (events != DaemonEvents.NOOP) {
            events.connected(config.url().toString());
        }
        if (!runner.isBusy()) {
            armIdleTimer(); // the idle clock restarts when the host can send tasks: a slow start is not idleness
        }
    }

    /** The current connection ended (the connector has forgotten it): redial, wait for the task, or exit. */
    void connectionEnded(boolean wasAuthenticated, boolean rejected, Throwable tlsFailure) {
        if (wasAuthenticated && events != DaemonEvents.NOOP) {
            events.lost(config.url().toString());
        }
        if (tlsFailure != null && !wasAuthenticated && TlsFailures.certificateRejected(tlsFailure)) {
            String why = "tls handshake failed: url=" + Redact.url(config.url()) + ": " + rootMessage(tlsFailure);
            if (config.autoExit() == AutoExit.NEVER) {
                LOG.warn("{} (dialing again: --autoexit=never)", why);
            } else {
                exit(ExitCode.AUTHENTICATION_FAILED, why);
                return;
            }
        }
        runner.dropBacklog();
        if (retired) {
            exit(ExitCode.CONNECTION_ENDED, null);
            return;
        }
        if (runner.ignoringCancel()) {
            // the host gave up on a task that ignores its interrupt: waiting for it, or redialling, would hang
            exit(ExitCode.CONNECTION_ENDED, "connection ended while a cancelled task ignores its interrupt");
            return;
        }
        if (config.autoExit() == AutoExit.NEVER) {
            connector.redialLater();
            return;
        }
        if (!wasAuthenticated && !rejected && connector.stillDialing()) {
            connector.redialLater(); // e.g. the host's cap on connections authenticating at once; try again
            return;
        }
        if (!wasAuthenticated) {
            exit(
                    rejected ? ExitCode.AUTHENTICATION_FAILED : ExitCode.UNREACHABLE,
                    rejected
                            ? "host rejected the handshake (wrong secret or stale token): url="
                                    + Redact.url(config.url())
                            : "connection closed during the handshake: url=" + Redact.url(config.url()));
            return;
        }
        if (config.autoExit() == AutoExit.AFTER_TASK && runner.isBusy()) {
            hostGone = true;
            runner.hold(); // it exits after the running task's RESULT: no task after that one
        } else {
            exit(ExitCode.CONNECTION_ENDED, null);
        }
    }

    /** The host retired this daemon (GOODBYE {@code RETIRED}): when the connection ends, exit, never redial. */
    void retiredByHost() {
        retired = true;
    }

    /** A TASK frame arrived: the worker runs it now, or after the ones before it. Ownership of the payload passes here. */
    void taskArrived(long id, ByteBuf payload) {
        taskArrived(id, payload, null);
    }

    /** A TASK frame that came with the host's trace context ({@code trace}, or null for none). */
    void taskArrived(long id, ByteBuf payload, TaskTrace trace) {
        if (exiting) {
            payload.release();
            return;
        }
        cancelIdleTimer();
        runner.enqueue(id, payload, connector.epoch(), trace); // hand-off: the worker releases the payload
    }

    /**
     * The worker's news on the loop, in order, a batch at a time: RESULT frames are written as they come and flushed
     * once per batch; each is marked {@code RESULT_LAST} when the daemon exits after it (recycle, maxTasks, wall time,
     * host gone), and that exit is decided here; when the batch leaves the daemon with nothing to do, its
     * idle clock starts.
     */
    private final class Results implements ResultOutbox.Sink {
        @Override
        public void started(long id) {
            events.taskStarted(id);
        }

        @Override
        public void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
            tasksDone++;
            boolean maxTasksReached = config.maxTasks() > 0 && tasksDone >= config.maxTasks();
            boolean last = recycle || maxTasksReached || wallTimeReached || hostGone;
            int sent = flags | (last ? FrameType.Flags.RESULT_LAST : 0); // exits next: the host sends no more
            if (events != DaemonEvents.NOOP) {
                events.taskFinished(id, sent);
            }
            connector.write(FrameHeader.compactFrame(alloc, FrameType.RESULT, sent, id, result), attempt);
            if (recycle) {
                exit(ExitCode.RECYCLE, "recycling: the last task ended with an error that may have damaged this JVM");
            } else if (maxTasksReached) {
                exit(ExitCode.MAX_TASKS, null);
            } else if (wallTimeReached) {
                exit(ExitCode.WALL_TIME, null);
            } else if (hostGone) {
                exit(ExitCode.CONNECTION_ENDED, null);
            }
        }

        @Override
        public void drained() {
            connector.flush();
            // not isBusy(): the worker may not yet have marked the last drained task finished (see hasTask); the
            // timer checks isBusy() when it fires, and every busy spell ends with another drain that re-arms it
            if (!exiting && !runner.hasTask()) {
                armIdleTimer();
            }
        }
    }

    /** A CANCEL frame arrived: a waiting task is dropped and answered for at once; a running one is interrupted. */
    void cancel(long id) {
        if (runner.cancel(id)) {
            connector.send(FrameHeader.frame(alloc, FrameType.RESULT, FrameType.Flags.RESULT_CANCELLED, id, null), -1);
        }
    }

    /**
     * A RECALL frame arrived: a task still waiting is dropped and answered for at once with {@code RESULT_RECALLED}
     * (the host runs it elsewhere); one that has started runs on and answers as usual.
     */
    void recall(long id) {
        if (runner.recall(id)) {
            connector.send(FrameHeader.frame(alloc, FrameType.RESULT, FrameType.Flags.RESULT_RECALLED, id, null), -1);
        }
    }

    /**
     * Interrupts the running task as a signal to the process would (SIGINT): its RESULT carries
     * {@code RESULT_INTERRUPTED} and the host resolves it to a {@code MiraiInterrupt}. Thread-safe.
     *
     * @return whether a task was running (false: the daemon is idle, and the caller may treat the signal as a stop)
     */
    public boolean interruptBySignal() {
        return runner.interruptBySignal();
    }

    private void wallTimeReached() {
        if (runner.isBusy()) {
            wallTimeReached = true;
            runner.hold(); // no task after the running one
        } else {
            exit(ExitCode.WALL_TIME, null);
        }
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        if (config.idleTime() != null && !exiting) {
            idleTimer = loop.schedule(
                    () -> {
                        if (!runner.isBusy()) {
                            exit(ExitCode.IDLE_TIME, null);
                        }
                    },
                    config.idleTime().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /** Ends the daemon with an exit code: says goodbye to the host (after any pending result), then closes. */
    void exit(int code, String message) {
        if (exiting) {
            return;
        }
        exiting = true;
        runner.hold();
        runner.dropBacklog();
        connector.flush(); // results written before the exit go out before GOODBYE, or before the close
        connector.stop();
        cancelIdleTimer();
        if (message != null) {
            log.println("jmirai-daemon: " + message);
        }
        LOG.info("daemon exiting: code={}", code);
        Channel ch = connector.channel();
        if (ch != null && ch.isActive() && connector.isAuthenticated()) {
            int reason = code == ExitCode.CONNECTION_ENDED ? Handshake.Goodbye.NORMAL : Handshake.Goodbye.LIMIT_REACHED;
            ch.writeAndFlush(FrameHeader.frame(
                            alloc,
                            FrameType.GOODBYE,
                            0,
                            0,
                            new Handshake.Goodbye(reason, "exit code " + code).encode(alloc)))
                    .addListener(ChannelFutureListener.CLOSE);
            ch.closeFuture().addListener(f -> exit.complete(code));
            loop.schedule(() -> exit.complete(code), 2, TimeUnit.SECONDS);
        } else {
            if (ch != null) {
                ch.close();
            }
            exit.complete(code);
        }
    }

    /** Closes the connection and stops the daemon's threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!loop.isShuttingDown()) {
            loop.execute(() -> exit(ExitCode.CONNECTION_ENDED, null));
            exit.completeOnTimeout(ExitCode.CONNECTION_ENDED, 3, TimeUnit.SECONDS)
                    .join();
        }
        runner.shutdown();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t + " (" + root.getMessage() + ")";
    }
}
