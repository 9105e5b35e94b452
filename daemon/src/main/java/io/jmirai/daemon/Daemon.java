package io.jmirai.daemon;

import io.jmirai.transport.Pipelines;
import io.jmirai.transport.TransportReadyHandler;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.HeartbeatHandler;
import io.jmirai.transport.protocol.ProtocolException;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.task.TaskEnvelope;
import io.jmirai.transport.task.TaskScope;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A daemon: dials the host, authenticates, evaluates one task at a time on its own worker thread, and sends back the
 * value or the error. It exits by its limits (idle time, wall time, task count) or when the host goes away, as its
 * {@link AutoExit} says; {@link #exitCode()} completes with the process exit code ({@link ExitCode}).
 *
 * <p>Tasks that arrive while one runs wait in arrival order (a host without a dispatcher sends them straight away);
 * the host's dispatcher sends one at a time. A CANCEL frame interrupts the running task, or drops a waiting one and
 * answers for it at once; either way the RESULT carries {@code RESULT_CANCELLED}. {@link #interruptBySignal()} (wired
 * to SIGINT by {@link DaemonMain}) interrupts the running task, whose RESULT then carries {@code RESULT_INTERRUPTED}.
 * An {@code everywhere} setup ({@link TaskEnvelope#setup()}) moves the cleanup baseline: what it leaves in system
 * properties, locale, time zone and {@code DaemonContext} persists.
 *
 * <p>Threading: connection state is confined to one event loop; tasks run on a single worker thread; a CANCEL frame
 * interrupts that thread. {@link #close()} is idempotent and thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private static final Duration MAX_REDIAL_DELAY = Duration.ofSeconds(5);

    private final DaemonConfig config;
    private final PrintStream log;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final ExecutorService worker;
    private final KryoCodec codec;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object taskLock = new Object();

    // The cleanup baseline: read and written by the worker only (after construction).
    private Properties propertiesSnapshot;
    private Locale localeSnapshot;
    private TimeZone timeZoneSnapshot;

    // Confined to the event loop.
    private Channel channel;
    private int epoch;
    private boolean authenticated;
    private boolean rejected;
    private boolean busy;
    private boolean hostGone;
    private boolean wallTimeReached;
    private boolean exiting;
    private boolean everAuthenticated;
    private final long startNanos = System.nanoTime();
    private int tasksDone;
    private long redialDelayMillis = 100;
    private ScheduledFuture<?> idleTimer;
    private final ArrayDeque<Waiting> backlog = new ArrayDeque<>();

    // Written on the event loop at authentication, read by the worker.
    private volatile int maxFrameLength = FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH;

    // Shared between the event loop and the worker, guarded by taskLock.
    private Thread taskThread;
    private long runningId;
    private boolean taskActive;
    private boolean cancelRequested;
    private boolean signalled;

    private Daemon(DaemonConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
        this.codec = new KryoCodec(config.classLoader());
        TaskAnswer.prepare();
        this.propertiesSnapshot = copy(System.getProperties());
        this.localeSnapshot = Locale.getDefault();
        this.timeZoneSnapshot = TimeZone.getDefault();
        this.group = Transports.newGroup(1, "jmirai-daemon-io");
        this.loop = group.next();
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jmirai-task");
            t.setDaemon(true);
            t.setContextClassLoader(config.classLoader());
            return t;
        });
    }

    /**
     * Starts a daemon: it dials at once and runs until a limit or the host ends it.
     *
     * @param config the configuration
     * @param log where the daemon's own messages go (not the tasks' output)
     */
    public static Daemon start(DaemonConfig config, PrintStream log) {
        Daemon d = new Daemon(config, log);
        d.loop.execute(d::begin);
        return d;
    }

    /** @return completes with the process exit code when the daemon is done */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    private void begin() {
        if (config.wallTime() != null) {
            loop.schedule(this::wallTimeReached, config.wallTime().toNanos(), TimeUnit.NANOSECONDS);
        }
        armIdleTimer();
        dial();
    }

    private void dial() {
        if (exiting) {
            return;
        }
        int attempt = ++epoch;
        authenticated = false;
        rejected = false;
        new Bootstrap()
                .group(loop)
                .channel(Transports.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Pipelines.addClientPrefix(ch.pipeline(), config.url(), config.ssl(), config.connectTimeout());
                        HostHandler handler =
                                new HostHandler(attempt, ch.pipeline().get(TransportReadyHandler.class));
                        ch.pipeline()
                                .addLast(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                .addLast(handler);
                    }
                })
                .connect(config.url().host(), config.url().port())
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        channel = f.channel();
                        scheduleHandshakeDeadline(f.channel());
                    } else if (config.autoExit() == AutoExit.NEVER || stillDialing()) {
                        redialLater();
                    } else {
                        exit(ExitCode.UNREACHABLE, "cannot reach host: url=" + config.url() + ": " + f.cause());
                    }
                });
    }

    private void scheduleHandshakeDeadline(Channel ch) {
        loop.schedule(
                () -> {
                    if (ch == channel && !authenticated && ch.isActive()) {
                        log.println("jmirai-daemon: handshake timed out: url=" + config.url());
                        ch.close();
                    }
                },
                config.connectTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void redialLater() {
        long delay = redialDelayMillis;
        redialDelayMillis = Math.min(redialDelayMillis * 2, MAX_REDIAL_DELAY.toMillis());
        loop.schedule(this::dial, delay, TimeUnit.MILLISECONDS);
    }

    private void connectionEnded(int attempt, Throwable tlsFailure) {
        if (attempt != epoch || exiting) {
            return;
        }
        if (tlsFailure != null && !authenticated && TlsFailures.certificateRejected(tlsFailure)) {
            String why = "tls handshake failed: url=" + config.url() + ": " + rootMessage(tlsFailure);
            if (config.autoExit() == AutoExit.NEVER) {
                log.println("jmirai-daemon: " + why);
            } else {
                channel = null;
                exit(ExitCode.AUTHENTICATION_FAILED, why);
                return;
            }
        }
        channel = null;
        boolean wasAuthenticated = authenticated;
        authenticated = false;
        dropBacklog();
        if (ignoringCancel()) {
            // the host gave up on a task that ignores its interrupt: waiting for it, or redialling, would hang
            exit(ExitCode.CONNECTION_ENDED, "connection ended while a cancelled task ignores its interrupt");
            return;
        }
        if (config.autoExit() == AutoExit.NEVER) {
            redialLater();
            return;
        }
        if (!wasAuthenticated && !rejected && stillDialing()) {
            redialLater(); // e.g. the host's cap on connections authenticating at once; try again
            return;
        }
        if (!wasAuthenticated) {
            exit(
                    rejected ? ExitCode.AUTHENTICATION_FAILED : ExitCode.UNREACHABLE,
                    rejected
                            ? "host rejected the handshake (wrong secret or stale token): url=" + config.url()
                            : "connection closed during the handshake: url=" + config.url());
            return;
        }
        if (config.autoExit() == AutoExit.AFTER_TASK && busy) {
            hostGone = true;
        } else {
            exit(ExitCode.CONNECTION_ENDED, null);
        }
    }

    /** Until the first authentication, a daemon keeps dialing for {@code dialTimeout}. */
    private boolean stillDialing() {
        return !everAuthenticated
                && System.nanoTime() - startNanos < config.dialTimeout().toNanos();
    }

    private void authenticated(int maxFrameLength, Channel ch) {
        authenticated = true;
        everAuthenticated = true;
        redialDelayMillis = 100;
        this.maxFrameLength = maxFrameLength;
        ch.pipeline().get(FrameDecoder.class).maxFrameLength(maxFrameLength);
        if (!busy) {
            armIdleTimer(); // the idle clock restarts when the host can send tasks: a slow start is not idleness
        }
    }

    private boolean ignoringCancel() {
        synchronized (taskLock) {
            return taskActive && cancelRequested;
        }
    }

    private void startTask(long id, ByteBuf payload) {
        if (exiting) {
            payload.release();
            return;
        }
        if (busy) {
            backlog.add(new Waiting(id, payload)); // hand-off: the backlog owns the payload
            return;
        }
        busy = true;
        cancelIdleTimer();
        synchronized (taskLock) {
            runningId = id;
            taskActive = true;
            cancelRequested = false;
            signalled = false;
        }
        int attempt = epoch;
        worker.execute(() -> runTask(id, payload, attempt));
    }

    private void dropBacklog() {
        Waiting w;
        while ((w = backlog.poll()) != null) {
            w.payload().release();
        }
    }

    private void runTask(long id, ByteBuf payload, int attempt) {
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
        } catch (Throwable t) {
            answer = TaskAnswer.ofThrowable(alloc, t);
        } finally {
            answer = finishScope(answer, setup);
        }
        TaskAnswer out = answer;
        loop.execute(() -> finishTask(id, out, attempt));
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

    private void finishTask(long id, TaskAnswer answer, int attempt) {
        busy = false;
        tasksDone++;
        boolean last = answer.recycle()
                || (config.maxTasks() > 0 && tasksDone >= config.maxTasks())
                || wallTimeReached
                || hostGone;
        int flags = answer.flags() | (last ? FrameType.Flags.RESULT_LAST : 0);
        Channel ch = channel;
        if (ch != null && attempt == epoch && authenticated && !exiting) {
            ch.writeAndFlush(FrameHeader.frame(alloc, FrameType.RESULT, flags, id, answer.payload()))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            answer.payload().release();
        }
        if (answer.recycle()) {
            exit(ExitCode.RECYCLE, "recycling: the last task ended with an error that may have damaged this JVM");
        } else if (config.maxTasks() > 0 && tasksDone >= config.maxTasks()) {
            exit(ExitCode.MAX_TASKS, null);
        } else if (wallTimeReached) {
            exit(ExitCode.WALL_TIME, null);
        } else if (hostGone) {
            exit(ExitCode.CONNECTION_ENDED, null);
        } else if (!backlog.isEmpty()) {
            Waiting next = backlog.poll();
            startTask(next.id(), next.payload());
        } else {
            armIdleTimer();
        }
    }

    private void cancel(long id) {
        synchronized (taskLock) {
            if (busy && runningId == id) {
                cancelRequested = true;
                if (taskThread != null) {
                    taskThread.interrupt();
                }
                return;
            }
        }
        for (Iterator<Waiting> it = backlog.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.id() == id) {
                it.remove();
                w.payload().release();
                Channel ch = channel;
                if (ch != null && authenticated && !exiting) {
                    ch.writeAndFlush(FrameHeader.frame(
                                    alloc, FrameType.RESULT, FrameType.Flags.RESULT_CANCELLED, id, null))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
                return;
            }
        }
    }

    /**
     * Interrupts the running task as a signal to the process would (SIGINT): its RESULT carries
     * {@code RESULT_INTERRUPTED} and the host resolves it to a {@code MiraiInterrupt}. Thread-safe.
     *
     * @return whether a task was running (false: the daemon is idle, and the caller may treat the signal as a stop)
     */
    public boolean interruptBySignal() {
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

    private void wallTimeReached() {
        if (busy) {
            wallTimeReached = true;
        } else {
            exit(ExitCode.WALL_TIME, null);
        }
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        if (config.idleTime() != null && !exiting) {
            idleTimer = loop.schedule(
                    () -> {
                        if (!busy) {
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
    private void exit(int code, String message) {
        if (exiting) {
            return;
        }
        exiting = true;
        cancelIdleTimer();
        dropBacklog();
        if (message != null) {
            log.println("jmirai-daemon: " + message);
        }
        Channel ch = channel;
        if (ch != null && ch.isActive() && authenticated) {
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
        worker.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t + " (" + root.getMessage() + ")";
    }

    /** A task that arrived while another ran. */
    private record Waiting(long id, ByteBuf payload) {}

    private static Properties copy(Properties p) {
        Properties copy = new Properties();
        copy.putAll(p);
        return copy;
    }

    /** The connection's protocol handler: handshake, then tasks. Confined to the event loop. */
    private final class HostHandler extends ChannelInboundHandlerAdapter {
        private final int attempt;
        private final TransportReadyHandler ready;
        private Handshake.Challenge challenge;
        private Handshake.Hello hello;

        HostHandler(int attempt, TransportReadyHandler ready) {
            this.attempt = attempt;
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame frame)) {
                ReferenceCountUtil.release(msg);
                throw new ProtocolException(
                        "unexpected message: " + msg.getClass().getSimpleName());
            }
            try {
                if (!authenticated) {
                    handshake(ctx, frame);
                    return;
                }
                switch (frame.type()) {
                    case TASK ->
                        startTask(frame.correlationId(), frame.payload().retain()); // hand-off: worker releases
                    case CANCEL -> cancel(frame.correlationId());
                    case HEARTBEAT -> {}
                    case GOODBYE -> ctx.close();
                    default -> throw new ProtocolException("unexpected frame from host: type=" + frame.type());
                }
            } finally {
                frame.release();
            }
        }

        private void handshake(ChannelHandlerContext ctx, Frame frame) {
            switch (frame.type()) {
                case CHALLENGE -> {
                    if (challenge != null) {
                        throw new ProtocolException("second challenge");
                    }
                    challenge = Handshake.Challenge.decode(frame.payload());
                    long pid = ProcessHandle.current().pid();
                    hello = Handshake.Hello.answer(config.secret(), challenge, config.slot(), pid, config.token());
                    ctx.writeAndFlush(FrameHeader.frame(ctx.alloc(), FrameType.HELLO, 0, 0, hello.encode(ctx.alloc())))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
                case WELCOME -> {
                    if (hello == null) {
                        throw new ProtocolException("welcome before challenge");
                    }
                    Handshake.Welcome welcome = Handshake.Welcome.decode(frame.payload());
                    if (!welcome.verify(config.secret(), challenge, hello)) {
                        exit(ExitCode.AUTHENTICATION_FAILED, "host failed to prove the secret: url=" + config.url());
                        ctx.close();
                        return;
                    }
                    if (welcome.heartbeatMillis() > 0) {
                        ctx.pipeline().addAfter("ready", "heartbeat", new HeartbeatHandler(welcome.heartbeatMillis()));
                    }
                    authenticated(welcome.maxFrameLength(), ctx.channel());
                }
                case GOODBYE -> {
                    rejected = true;
                    Handshake.Goodbye goodbye = Handshake.Goodbye.decode(frame.payload());
                    log.println("jmirai-daemon: host said goodbye: code=" + goodbye.code() + ", reason="
                            + goodbye.reason());
                    ctx.close();
                }
                default -> throw new ProtocolException("unexpected frame during handshake: type=" + frame.type());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connectionEnded(attempt, ready.failure());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = ProtocolException.unwrap(cause);
            log.println("jmirai-daemon: closing connection: " + c);
            ctx.close();
        }
    }
}
