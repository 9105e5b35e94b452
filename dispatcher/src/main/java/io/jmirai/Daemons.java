package io.jmirai;

import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.DispatcherConfig;
import io.jmirai.dispatcher.TaskRecord;
import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LaunchContext;
import io.jmirai.launch.Launchers;
import io.jmirai.launch.LocalLauncher;
import io.jmirai.launch.LocalProcess;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A set of daemons and the dispatcher that feeds them, embedded in this JVM: the entry point of jmirai.
 *
 * <pre>{@code
 * try (Daemons daemons = Daemons.local(2)) {              // dispatcher + 2 local daemon JVMs, connected on return
 *     Mirai<Double> m = daemons.mirai(() -> Math.sqrt(2)); // returns at once
 *     double v = m.get(Duration.ofSeconds(10));
 *     System.out.println(daemons.status());
 * }
 * }</pre>
 *
 * <p>The dispatcher listens at a URL ({@code tcp://127.0.0.1:0} by default; port 0 is resolved and reported by
 * {@link #url()}). Tasks wait in a FIFO queue and go, one at a time, to idle daemons. {@link #close()} resolves every
 * unresolved task to {@value ErrorValue#CONNECTION_RESET} and stops the local daemons. This class is thread-safe.
 */
public final class Daemons implements AutoCloseable {
    private final Dispatcher dispatcher;
    private final KryoCodec codec;
    private final String secret;
    private final DaemonOptions options;
    private final LocalLauncher launcher;
    private final Duration startTimeout;
    private final int maxPayloadLength;
    private final List<LocalProcess> processes = new ArrayList<>();
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private final String certificatePem;
    private final List<Integer> perDaemonSlots;

    private Daemons(Builder b) {
        this.secret = Handshake.newSecret();
        io.netty.handler.ssl.SslContext ssl = null;
        String pem = null;
        if (b.url.scheme().isTls()) {
            if (b.hostTls != null) {
                ssl = b.hostTls.serverContext();
                pem = b.hostTls.certificatePem();
            } else { // zero-config: a single-use certificate; its key never leaves this JVM's memory
                io.jmirai.tls.SingleUseCertificate cert = io.jmirai.tls.SingleUseCertificate.generate(b.url.host());
                ssl = cert.serverContext();
                pem = cert.certificatePem();
            }
        }
        this.certificatePem = pem;
        this.options = b.options;
        this.launcher = b.launcher;
        this.startTimeout = b.startTimeout;
        this.maxPayloadLength = b.maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD;
        this.codec = new KryoCodec(classLoader());
        this.dispatcher = Dispatcher.start(new DispatcherConfig(
                b.url,
                secret.getBytes(StandardCharsets.UTF_8),
                b.maxFrameLength,
                b.handshakeTimeout,
                b.maxUnauthenticated,
                ssl));
        this.perDaemonSlots = b.perDaemonUrls > 0 ? dispatcher.reserveSlots(b.perDaemonUrls) : List.of();
        this.shutdownHook = new Thread(this::destroyProcesses, "jmirai-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Daemons.class.getClassLoader();
    }

    /**
     * Starts a dispatcher on {@code tcp://127.0.0.1:0} and {@code n} local daemon JVMs; returns once all have
     * connected.
     *
     * @throws DaemonStartException if a daemon fails to start or connect in time (with its stderr)
     */
    public static Daemons local(int n) {
        return builder().local(n).start();
    }

    /** @return a builder for the URL, the number of local daemons and their options */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends a task to the daemons. Returns at once; the task is serialized on this thread.
     *
     * @param task the task; what it captures travels with it
     * @return its future
     * @throws IllegalArgumentException if the task cannot be serialized, or is larger than the frame limit
     * @throws IllegalStateException if these daemons are closed
     */
    public <T> Mirai<T> mirai(Task<T> task) {
        Objects.requireNonNull(task, "task");
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
        ByteBuf payload;
        try {
            payload = codec.encode(PooledByteBufAllocator.DEFAULT, task);
        } catch (RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException("task could not be serialized: " + e.getMessage(), e);
        }
        if (payload.readableBytes() > maxPayloadLength) {
            int length = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException(
                    "task too large: length=" + length + ", maxPayloadLength=" + maxPayloadLength);
        }
        long id = taskIds.incrementAndGet();
        Mirai<T> m = new Mirai<>(id, codec);
        dispatcher.submit(new TaskRecord(id, payload, m::resolve)); // hand-off: the record owns the payload
        return m;
    }

    /** The session secret, for tests in this package (the launchers pass it to daemons out of band). */
    String secret() {
        return secret;
    }

    /** @return a consistent snapshot of the daemons and the queue */
    public Status status() {
        return dispatcher.status();
    }

    /** @return the shared URL: any number of daemons may dial it (with the secret); the port is the bound one */
    public String url() {
        return dispatcher.url().toString();
    }

    /**
     * @return the per-daemon URLs asked for with {@link Builder#perDaemonUrls(int)}, in order: URL {@code i} (from 1)
     *     admits one daemon at a time, and its status row counts the connections made there
     */
    public List<String> urls() {
        List<String> out = new ArrayList<>(perDaemonSlots.size());
        for (int slot : perDaemonSlots) {
            out.add(dispatcher.slotUrl(slot).toString());
        }
        return out;
    }

    /**
     * Gives per-daemon URL {@code i} (from 1) a fresh random token, so that a daemon holding the old URL can no longer
     * connect (mirai's {@code saisei}). A daemon connected there now stays connected.
     *
     * @return the new URL
     */
    public String regenerate(int i) {
        return regenerate(i, false);
    }

    /**
     * Like {@link #regenerate(int)}; with {@code force}, also disconnects the daemon connected at that URL now.
     *
     * @return the new URL
     */
    public String regenerate(int i, boolean force) {
        if (i < 1 || i > perDaemonSlots.size()) {
            throw new IllegalArgumentException("i : " + i + " (expected: 1 to " + perDaemonSlots.size() + ")");
        }
        return dispatcher.regenerate(perDaemonSlots.get(i - 1), force).toString();
    }

    /**
     * @return the PEM of the certificate daemons must trust, for {@code tls+tcp://} and {@code wss://} URLs (the
     *     single-use certificate made at start, or the leaf of the configured chain); null for plain URLs
     */
    public String certificatePem() {
        return certificatePem;
    }

    /**
     * Starts {@code n} more local daemons and waits (at most the builder's start timeout) until they have connected.
     *
     * @return the new processes
     * @throws DaemonStartException if one fails to start or connect in time (with its stderr)
     */
    public List<LocalProcess> launchLocal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n : " + n + " (expected: >= 0)");
        }
        List<LocalProcess> started = startLocal(n);
        awaitConnected(started);
        return started;
    }

    private List<LocalProcess> startLocal(int n) {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
        List<LocalProcess> started = new ArrayList<>(n);
        for (int slot : dispatcher.reserveSlots(n)) {
            LocalProcess p;
            try {
                p = launcher.launch(dispatcher.slotUrl(slot), slot, options, secret, certificatePem);
            } catch (IOException e) {
                throw new DaemonStartException("cannot start a local daemon: " + e.getMessage(), e);
            }
            synchronized (processes) {
                processes.add(p);
            }
            started.add(p);
        }
        return started;
    }

    private void awaitConnected(List<LocalProcess> started) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (LocalProcess p : started) {
            CompletableFuture<Void> connected = dispatcher.slotConnected(p.slot());
            p.process()
                    .onExit()
                    .thenRun(() -> connected.completeExceptionally(
                            new DaemonStartException("daemon exited before connecting: slot=" + p.slot() + ", exitCode="
                                    + p.process().exitValue() + ", stderr:\n" + p.stderr())));
            waits.add(connected);
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                    .get(startTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof DaemonStartException d
                    ? new DaemonStartException(d.getMessage(), d)
                    : new DaemonStartException("daemon failed to start: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            StringBuilder why = new StringBuilder("daemons did not connect within " + startTimeout + ":");
            for (int i = 0; i < started.size(); i++) {
                if (!waits.get(i).isDone()) {
                    LocalProcess p = started.get(i);
                    why.append("\n  slot=")
                            .append(p.slot())
                            .append(", pid=")
                            .append(p.process().pid())
                            .append(", stderr:\n")
                            .append(p.stderr());
                }
            }
            throw new DaemonStartException(why.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonStartException("interrupted while waiting for daemons to connect", e);
        }
    }

    /** Runs one task in a daemon JVM started for it alone; everything is closed once the task resolves. */
    static <T> Mirai<T> ephemeral(Task<T> task) {
        Daemons d =
                builder().daemonOptions(DaemonOptions.defaults().maxTasks(1)).start();
        try {
            Mirai<T> m = d.mirai(task);
            List<LocalProcess> started = d.startLocal(1);
            Runnable closeAsync = () -> {
                Thread t = new Thread(d::close, "jmirai-ephemeral-close");
                t.setDaemon(true);
                t.start();
            };
            m.toCompletableFuture().whenComplete((v, e) -> closeAsync.run());
            CompletableFuture<Void> connected =
                    d.dispatcher.slotConnected(started.get(0).slot());
            started.get(0).process().onExit().thenRun(() -> {
                if (!connected.isDone()) {
                    closeAsync.run();
                }
            });
            return m;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /**
     * Stops: every unresolved task resolves to {@value ErrorValue#CONNECTION_RESET}, the daemons are told goodbye and
     * the local ones are waited for (then killed if need be). Idempotent; bounded (about 10 s at most).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dispatcher.close(Duration.ofSeconds(5));
        List<LocalProcess> all;
        synchronized (processes) {
            all = List.copyOf(processes);
        }
        for (LocalProcess p : all) {
            p.stop(Duration.ofSeconds(5));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs anyway
        }
    }

    private void destroyProcesses() {
        synchronized (processes) {
            for (LocalProcess p : processes) {
                p.process().destroy();
            }
        }
    }

    /** Builds {@link Daemons}. Not thread-safe. */
    public static final class Builder {
        private ListenUrl url = ListenUrl.parse("tcp://127.0.0.1:0");
        private int local;
        private DaemonOptions options = DaemonOptions.defaults();
        private LocalLauncher launcher = new LocalLauncher();
        private int maxFrameLength = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
        private Duration startTimeout = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxUnauthenticated = 64;
        private int perDaemonUrls;
        private io.jmirai.tls.HostTls hostTls;

        private Builder() {}

        /**
         * Listens also at {@code n} per-daemon URLs (paths {@code /1} … {@code /n}; for tcp schemes the same identity
         * travels in the handshake), each admitting one daemon at a time; see {@link Daemons#urls()}.
         */
        public Builder perDaemonUrls(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("perDaemonUrls : " + n + " (expected: >= 0)");
            }
            this.perDaemonUrls = n;
            return this;
        }

        /**
         * A CA-signed certificate (chain) and key for {@code tls+tcp://} and {@code wss://} URLs, e.g.
         * {@code HostTls.fromFiles(chain, key, password)}. Without it, a TLS URL gets a single-use self-signed
         * certificate.
         */
        public Builder tls(io.jmirai.tls.HostTls value) {
            this.hostTls = Objects.requireNonNull(value, "tls");
            return this;
        }

        /** Where the dispatcher listens, such as {@code tcp://0.0.0.0:5555}; default {@code tcp://127.0.0.1:0}. */
        public Builder url(String value) {
            this.url = ListenUrl.parse(value);
            return this;
        }

        /** How many local daemons to start (default 0); {@link #start()} waits for them to connect. */
        public Builder local(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("local : " + n + " (expected: >= 0)");
            }
            this.local = n;
            return this;
        }

        /** Options for the daemons this host launches. */
        public Builder daemonOptions(DaemonOptions value) {
            this.options = Objects.requireNonNull(value, "daemonOptions");
            return this;
        }

        /** How local daemons are started (java, classpath, JVM options). */
        public Builder launcher(LocalLauncher value) {
            this.launcher = Objects.requireNonNull(value, "launcher");
            return this;
        }

        /** Limit on a frame's length, both ways (default 256 MiB); a longer frame closes its connection. */
        public Builder maxFrameLength(int value) {
            if (value < FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH) {
                throw new IllegalArgumentException(
                        "maxFrameLength : " + value + " (expected: >= " + FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH + ")");
            }
            this.maxFrameLength = value;
            return this;
        }

        /** How long local daemons have to start and connect (default 30 s). */
        public Builder startTimeout(Duration value) {
            this.startTimeout = positive("startTimeout", value);
            return this;
        }

        /** How long a new connection has to authenticate (default 10 s). */
        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = positive("handshakeTimeout", value);
            return this;
        }

        /** How many connections may be authenticating at once (default 64); more are closed at once. */
        public Builder maxUnauthenticated(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxUnauthenticated : " + value + " (expected: > 0)");
            }
            this.maxUnauthenticated = value;
            return this;
        }

        /**
         * Starts the dispatcher and the local daemons, and waits for them to connect.
         *
         * @throws IllegalStateException if the URL cannot be bound
         * @throws DaemonStartException if a local daemon fails to start or connect in time
         */
        public Daemons start() {
            Daemons d = new Daemons(this);
            try {
                d.launchLocal(local);
                return d;
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " : " + d + " (expected: > 0)");
            }
            return d;
        }
    }

    /**
     * Launches {@code n} daemons as {@code config} says ({@code n} on each remote, for SSH), and returns the commands.
     * Commands that run a daemon for its lifetime ({@code ssh}, {@code srun}, …) are held by this host and waited for
     * (at most the config's timeout) until their daemons connect; job submissions ({@code sbatch}, {@code qsub}, {@code
     * bsub}, {@code kubectl}) return once submitted; {@link LaunchConfig#manual()} runs nothing. Each daemon gets a slot
     * of its own (a status row). The secret never appears in a command line.
     *
     * <pre>{@code
     * daemons.launchRemote(2, LaunchConfig.ssh("node1").jar("/opt/jmirai/jmirai-daemon.jar"));
     * }</pre>
     *
     * @return the commands, with what they printed (a job id, say)
     * @throws io.jmirai.launch.LaunchException if a command fails (ssh refused, sbatch error, a daemon exits before
     *     connecting), with the command's own output; what the launch started and did not connect is stopped first
     * @throws IllegalArgumentException for a configuration that cannot work (a tunnel without a 127.0.0.1 URL)
     * @throws IllegalStateException if these daemons are closed
     */
    public List<LaunchCommand> launchRemote(int n, LaunchConfig<?> config) {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
        if (config instanceof LaunchConfig.Local) {
            List<LaunchCommand> commands = new ArrayList<>(n);
            for (LocalProcess p : launchLocal(n)) {
                commands.add(new LaunchCommand(
                        "localhost",
                        List.of(p.slot()),
                        launcher.command(dispatcher.slotUrl(p.slot()), options, certificatePem),
                        null,
                        null,
                        "",
                        null));
            }
            return commands;
        }
        return Launchers.launch(n, config, launchContext());
    }

    /**
     * @return {@code n} commands to start daemons by hand, ready to paste into a shell on the daemons' machines; each
     *     is followed by its {@link LaunchCommand#secretLine() secret line}, pasted as the next line
     */
    public List<LaunchCommand> launchRemote(int n) {
        return launchRemote(n, LaunchConfig.manual());
    }

    private LaunchContext launchContext() {
        return new LaunchContext(
                dispatcher.url(),
                secret,
                certificatePem,
                options,
                dispatcher::reserveSlots,
                dispatcher::slotConnected,
                p -> {
                    synchronized (processes) {
                        processes.add(p);
                    }
                    if (closed.get()) {
                        p.process().destroy();
                    }
                });
    }
}
