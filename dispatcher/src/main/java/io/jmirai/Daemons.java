package io.jmirai;

import io.jmirai.api.DaemonContext;
import io.jmirai.api.MapFunction;
import io.jmirai.api.ReduceFunction;
import io.jmirai.api.Task;
import io.jmirai.api.internal.MapCall;
import io.jmirai.dispatcher.DispatchEvents;
import io.jmirai.dispatcher.DispatchPolicy;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.DispatcherConfig;
import io.jmirai.dispatcher.QueueGate;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

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
 * unresolved task to {@value ErrorValue#CONNECTION_RESET} and stops the local daemons.
 *
 * <p>Steering work: per-task timeouts and retries ({@link MiraiOptions}, or defaults on the {@link Builder}),
 * {@link Mirai#stop()}, {@link #map}, {@link #everywhere}, a limit on queued bytes ({@link #tryMirai}), reproducible
 * random streams ({@link Builder#seed(long)}), recycling of daemons whose task ignores an interrupt, replacement of
 * lost local daemons ({@link Builder#fixedPool(boolean)}) and a direct mode without a central queue
 * ({@link Builder#dispatcher(boolean)}). This class is thread-safe.
 *
 * <p>Structure: this class is the facade; the work is done by {@link TaskSubmitter} (encoding, seeds, backpressure,
 * hand-off to the dispatcher), {@link LocalPool} (local daemon processes, recycling, replacement) and the
 * {@link Dispatcher}. The file is over 400 lines because it holds the public API itself: the overloads of
 * {@code mirai} and {@code map}, {@link #everywhere}, the launch methods and the nested public {@link Builder}, whose
 * Javadoc is the user's reference; each method is a few lines of argument checks and delegation.
 */
public final class Daemons implements AutoCloseable {
    private final Dispatcher dispatcher;
    private final TaskSubmitter submitter;
    private final LocalPool pool;
    private final Scaler scaler;
    private final String secret;
    private final DaemonOptions options;
    private final LocalLauncher launcher;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private final String certificatePem;
    private final List<Integer> perDaemonSlots;
    private final QueueGate gate;
    private volatile String profile;
    /** Connected to a server ({@link #connect}) rather than embedding the dispatcher. */
    private final boolean connected;

    /** What this client asks its server; null for embedded daemons. */
    private final ServerSession server;

    /** Where daemons this JVM launches take their slots: the dispatcher's, or the server's for a client. */
    private final Slots slots;

    private Daemons(Builder b) {
        this.connected = b.server != null;
        this.secret = b.server != null ? b.server.secret() : b.secret != null ? b.secret : Handshake.newSecret();
        io.netty.handler.ssl.SslContext ssl = null;
        String pem = null;
        if (connected) {
            pem = b.server.certificatePem();
            if (b.url.scheme().isTls() && pem == null) {
                throw new IllegalArgumentException(
                        "the credentials file has no certificate for a TLS url: url=" + b.url.withPath(""));
            }
            ssl = b.url.scheme().isTls() ? io.jmirai.tls.ClientTls.pinned(pem) : null;
        } else if (b.url.scheme().isTls()) {
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
        this.gate = new QueueGate(b.maxQueuedBytes);
        DispatcherConfig config = new DispatcherConfig(
                b.url,
                secret.getBytes(StandardCharsets.UTF_8),
                b.maxFrameLength,
                b.handshakeTimeout,
                b.maxUnauthenticated,
                ssl,
                b.heartbeat,
                b.shipClasses && !connected ? classLoader() : null); // a client serves no classes: it listens nowhere
        if (connected) { // one "daemon", the server, which queues what it is sent: no window to speak of
            this.dispatcher = Dispatcher.connect(
                    config,
                    new DispatchPolicy(false, b.interruptGrace, gate, slot -> {}, SERVER_WINDOW),
                    ssl,
                    b.startTimeout);
        } else {
            this.dispatcher = Dispatcher.start(
                    config,
                    new DispatchPolicy(!b.dispatcher, b.interruptGrace, gate, this::recycling, b.prefetch),
                    ObservedEvents.of(b.observer, b.events),
                    b.clientService);
        }
        DaemonExits exits = new DaemonExits();
        this.submitter = new TaskSubmitter(
                dispatcher,
                new KryoCodec(classLoader()),
                new KryoCodec(classLoader(), b.resultLimits()),
                exits,
                gate,
                b.maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD,
                b.taskDefaults,
                b.seed,
                connected ? null : b.observer); // a client's tasks are traced by its server's daemons, not yet here
        this.server = connected ? new ServerSession(dispatcher, submitter, b.maxFrameLength, closed) : null;
        this.slots = connected ? server : Slots.of(dispatcher);
        this.pool = new LocalPool(
                slots, launcher, options, secret, certificatePem, b.startTimeout, b.fixedPool, closed, exits);
        LaunchConfig<?> scaleConfig = b.launchConfig;
        this.scaler = new Scaler(
                dispatcher,
                pool,
                scaleConfig,
                (n, onReserved) -> launchRemote(n, scaleConfig, onReserved),
                b.startTimeout,
                b.autoscale);
        this.perDaemonSlots = b.perDaemonUrls > 0 ? dispatcher.reserveUrlSlots(b.perDaemonUrls) : List.of();
        this.shutdownHook = new Thread(pool::destroyAll, "jmirai-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** How many tasks a connected client keeps at its server at once (the server queues them). */
    private static final int SERVER_WINDOW = 1 << 20;

    /**
     * Connects to a standalone server ({@code java -jar jmirai-server.jar}) as a client, with the URL, secret and
     * pinned certificate from the credentials file it wrote. The result works as embedded daemons do for {@link
     * #mirai}, {@link #map}, {@link #mapReduce} and {@link #status} (the server's); tasks go to the server, which queues
     * them and forwards them to its daemons without decoding them. {@link #close()} disconnects this client and
     * cancels its unresolved tasks; the server and its daemons carry on ({@link #shutdownServer()} stops them). If the
     * connection is lost (the server restarts), tasks that were at the server resolve to {@value
     * ErrorValue#CONNECTION_RESET} and the client dials again by itself; tasks submitted meanwhile wait for it.
     * {@link #everywhere} runs the setup on every daemon of the server (they are shared by all its clients) and
     * returns once it has run. {@link #launchLocal} and {@link #launchRemote} launch daemons that connect to the
     * server (it reserves their slots; each gets its own key, derived here from the secret) and serve every client;
     * local ones are this JVM's children and are stopped when it closes. {@link #reset} resets every daemon of the
     * server and returns once they have run it; {@link #scale} scales the server's own pool ({@code --local N}), and
     * is an {@link IllegalStateException} saying why on a server started without one.
     *
     * <pre>{@code
     * try (Daemons server = Daemons.connect(Path.of("server.credentials"))) {
     *     System.out.println(server.map(List.of(1, 2, 3), x -> x * x).collect()); // [1, 4, 9]
     * }
     * }</pre>
     *
     * @throws IllegalStateException if the server cannot be reached within 30 s or refuses (wrong secret)
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public static Daemons connect(java.nio.file.Path credentialsFile) {
        return connect(credentialsFile, Duration.ofSeconds(30));
    }

    /**
     * {@link #connect(java.nio.file.Path)} waiting at most {@code timeout} for the server.
     *
     * @throws IllegalStateException if the server cannot be reached in time or refuses
     */
    public static Daemons connect(java.nio.file.Path credentialsFile, Duration timeout) {
        Objects.requireNonNull(credentialsFile, "credentialsFile");
        ServerCredentials c = ServerCredentials.read(credentialsFile);
        Builder b = builder().url(c.url()).startTimeout(timeout);
        b.server = c;
        return b.start();
    }

    /** @return whether these daemons are a client of a server ({@link #connect}) rather than embedded */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Stops the server this client is connected to (its dispatcher, local daemons and store; its jobs resume when it
     * is started again on the same store), then closes this client.
     *
     * @throws IllegalStateException if these daemons are embedded (not from {@link #connect}), or the server does not
     *     answer
     */
    public void shutdownServer() {
        if (!connected) {
            throw new IllegalStateException(
                    "shutdownServer: these daemons are embedded in this JVM, not connected to a server"
                            + " (use Daemons.connect(credentialsFile)); close() stops them");
        }
        try {
            server.shutdown();
        } finally {
            close();
        }
    }

    /**
     * Stores a job on the server and runs it there: {@code fn} on every element of {@code items}, one task per element,
     * like {@link #map(List, MapFunction)}, but its results are kept by the server, durably, until deleted, so they
     * outlive this session (doAzureParallel's jobs). Returns once every task is durably stored (the server may already
     * be running some); the server runs them even if this JVM exits, and after a restart of its own resumes those
     * without a stored result (at-least-once: a task running when the server died runs again, and its result is
     * stored once).
     *
     * <pre>{@code
     * Job<Integer> job = server.submitJob("squares", List.of(1, 2, 3), x -> x * x);
     * System.out.println(job.results(Duration.ofMinutes(1))); // [1, 4, 9]
     * }</pre>
     *
     * @param jobId the job's id (letters, digits, {@code . _ -}), or null for a generated one
     * @throws IllegalArgumentException if the id is in use or invalid (the message names it), or a task cannot be
     *     serialized or is larger than 32 MiB (a job of any size is sent in parts of about 32 MiB)
     * @throws IllegalStateException if these daemons are embedded (jobs need a server: {@link #connect}), or the
     *     server does not answer
     */
    public <T, R> Job<R> submitJob(String jobId, List<? extends T> items, MapFunction<? super T, ? extends R> fn) {
        return submitJob(jobId, items, fn, MapOptions.defaults());
    }

    /**
     * {@link #submitJob(String, List, MapFunction)} with options: {@link MapOptions#outputFiles(String)} keeps the
     * files each task writes in its own directory ({@code DaemonContext.taskDirectory()}) with its result, for {@link
     * Job#outputFiles}; the other options (progress, chunks) do not apply to jobs.
     */
    public <T, R> Job<R> submitJob(
            String jobId, List<? extends T> items, MapFunction<? super T, ? extends R> fn, MapOptions options) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(options, "options");
        checkOpen();
        checkServer("submitJob");
        return server.submitJob(jobId, items, fn, options);
    }

    /**
     * @return a handle on the server's job {@code jobId}, from any client, at any time after it was submitted
     * @throws IllegalArgumentException if the server has no such job
     * @throws IllegalStateException if these daemons are embedded, or the server does not answer
     */
    public <R> Job<R> job(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        checkOpen();
        checkServer("job");
        return server.job(jobId);
    }

    /**
     * @return every job the server stores, oldest first
     * @throws IllegalStateException if these daemons are embedded, or the server does not answer
     */
    public List<JobSummary> jobs() {
        checkOpen();
        checkServer("jobs");
        return server.jobs();
    }

    private void checkServer(String what) {
        if (!connected) {
            throw new IllegalStateException(what + ": jobs are kept by a server; these daemons are embedded"
                    + " (start java -jar jmirai-server.jar and use Daemons.connect(credentialsFile))");
        }
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
     * Sends a task to the daemons. Returns at once (unless the queue is at its {@link Builder#maxQueuedBytes byte
     * limit}: then it waits for room, interruptibly); the task is serialized on this thread.
     *
     * @param task the task; what it captures travels with it
     * @return its future
     * @throws IllegalArgumentException if the task cannot be serialized, or is larger than the frame limit or the
     *     queue's byte limit
     * @throws IllegalStateException if these daemons are closed
     * @throws RejectedExecutionException if this thread is interrupted while waiting for room (the task is not sent,
     *     and the thread's interrupt flag stays set)
     */
    public <T> Mirai<T> mirai(Task<T> task) {
        return mirai(task, MiraiOptions.defaults());
    }

    /**
     * Sends a task with a timeout and retries, as {@link #mirai(Task)} does.
     *
     * <pre>{@code
     * Mirai<Double> m = daemons.mirai(() -> simulate(42), MiraiOptions.defaults().timeout(Duration.ofSeconds(30)));
     * }</pre>
     *
     * @param task the task
     * @param options its timeout and retries; unset ones fall back to the builder's defaults
     * @return its future
     */
    public <T> Mirai<T> mirai(Task<T> task, MiraiOptions options) {
        return this.<T>submit(task, options, true).orElseThrow();
    }

    /**
     * Sends a task unless the queue is at its {@link Builder#maxQueuedBytes byte limit}; never waits.
     *
     * @return its future, or empty if there is no room now
     */
    public <T> Optional<Mirai<T>> tryMirai(Task<T> task) {
        return tryMirai(task, MiraiOptions.defaults());
    }

    /**
     * Sends a task with options unless the queue is at its byte limit; never waits.
     *
     * @return its future, or empty if there is no room now
     */
    public <T> Optional<Mirai<T>> tryMirai(Task<T> task, MiraiOptions options) {
        return submit(task, options, false);
    }

    private <T> Optional<Mirai<T>> submit(Callable<?> task, MiraiOptions options, boolean block) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        long submitted = System.nanoTime();
        checkOpen();
        return submitter.submit(task, options, block, submitted);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
    }

    /**
     * Runs {@code fn} on every element of {@code items}, one task per element; see {@link MiraiMap}. Returns at once.
     *
     * <pre>{@code
     * List<Object> squares = daemons.map(List.of(1, 2, 3), x -> x * x).collect(); // [1, 4, 9]
     * }</pre>
     *
     * @throws IllegalArgumentException if an element's task cannot be serialized (the ones already sent are stopped)
     */
    public <T, R> MiraiMap<R> map(List<? extends T> items, MapFunction<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        return mapAll(items, item -> MapCall.of(fn, item), null);
    }

    /**
     * Runs {@code fn} on every element of {@code items} with extra arguments (the same for each element), like
     * {@code mirai_map(.x, .f, ...)}.
     *
     * <pre>{@code
     * List<Object> scaled = daemons.map(List.of(1, 2, 3), (x, args) -> x * (int) args[0], 10).collect(); // [10, 20, 30]
     * }</pre>
     */
    public <T, R> MiraiMap<R> map(
            List<? extends T> items, MapFunction.WithArgs<? super T, ? extends R> fn, Object... extraArgs) {
        Objects.requireNonNull(fn, "fn");
        Object[] args = extraArgs == null ? new Object[0] : extraArgs.clone();
        return mapAll(items, item -> MapCall.of(fn, item, args), null);
    }

    /** Runs {@code fn} on every element of an array; see {@link #map(List, MapFunction)}. */
    public <T, R> MiraiMap<R> map(T[] items, MapFunction<? super T, ? extends R> fn) {
        return map(Arrays.asList(items), fn);
    }

    /** Runs {@code fn} on every element of an array with extra arguments. */
    public <T, R> MiraiMap<R> map(T[] items, MapFunction.WithArgs<? super T, ? extends R> fn, Object... extraArgs) {
        return map(Arrays.asList(items), fn, extraArgs);
    }

    /**
     * Runs {@code fn} on every value of a {@code Map}, keeping the keys: {@link MiraiMap#collectMap} returns the
     * results under them, in the map's iteration order.
     */
    public <K, V, R> MiraiMap<R> map(Map<K, ? extends V> items, MapFunction<? super V, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        return mapAll(new ArrayList<>(items.values()), item -> MapCall.of(fn, item), new ArrayList<>(items.keySet()));
    }

    /** Runs {@code fn} on every value of a {@code Map} with extra arguments, keeping the keys. */
    public <K, V, R> MiraiMap<R> map(
            Map<K, ? extends V> items, MapFunction.WithArgs<? super V, ? extends R> fn, Object... extraArgs) {
        Objects.requireNonNull(fn, "fn");
        Object[] args = extraArgs == null ? new Object[0] : extraArgs.clone();
        return mapAll(
                new ArrayList<>(items.values()), item -> MapCall.of(fn, item, args), new ArrayList<>(items.keySet()));
    }

    /** Runs {@code fn} on every element of a stream (consumed at once). */
    public <T, R> MiraiMap<R> map(Stream<? extends T> items, MapFunction<? super T, ? extends R> fn) {
        return map(items.toList(), fn);
    }

    /** Runs {@code fn} on every element of a stream (consumed at once) with extra arguments. */
    public <T, R> MiraiMap<R> map(
            Stream<? extends T> items, MapFunction.WithArgs<? super T, ? extends R> fn, Object... extraArgs) {
        return map(items.toList(), fn, extraArgs);
    }

    private <T, R> MiraiMap<R> mapAll(List<? extends T> items, Function<T, MapCall<R>> call, List<?> keys) {
        Objects.requireNonNull(items, "items");
        List<Mirai<R>> ms = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                ms.add(mirai(call.apply(items.get(i))));
            } catch (RuntimeException e) {
                Mirai.stop(ms);
                if (e instanceof IllegalArgumentException) {
                    throw new IllegalArgumentException("map element " + i + ": " + e.getMessage(), e);
                }
                throw e;
            }
        }
        return new MiraiMap<>(ms, keys);
    }

    /**
     * Runs a setup once on every daemon connected now, like mirai's {@code everywhere()}: what it stores with
     * {@link DaemonContext#put} (and in system properties) persists for every later task on that daemon, even with
     * cleanup on. Tasks submitted after this call run after the setup on whichever daemon they land; daemons that
     * connect later (replacements included) run it too before their first task (those runs are not reported).
     *
     * <pre>{@code
     * daemons.everywhere(() -> DaemonContext.put("db", "jdbc:postgresql://db/prod"));
     * }</pre>
     *
     * @return one future per daemon connected now
     * @throws IllegalArgumentException if the setup cannot be serialized
     */
    public <T> List<Mirai<T>> everywhere(Task<T> setup) {
        Objects.requireNonNull(setup, "setup");
        checkOpen();
        if (connected) {
            return server.everywhere(setup);
        }
        return submitter.everywhere(setup);
    }

    /**
     * Waits until at least {@code minDaemons} daemons are connected (at most {@code wait}), then runs a setup on every
     * connected daemon as {@link #everywhere(Task)} does.
     *
     * @throws IllegalStateException if fewer connect in time
     */
    public <T> List<Mirai<T>> everywhere(Task<T> setup, int minDaemons, Duration wait) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(wait, "wait");
        if (minDaemons < 0) {
            throw new IllegalArgumentException("minDaemons : " + minDaemons + " (expected: >= 0)");
        }
        checkOpen();
        if (connected) { // the server's daemons: asked for, at most every 100 ms, until there are enough
            long deadline = System.nanoTime() + wait.toNanos();
            while (status().connections() < minDaemons) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(
                            "everywhere: fewer than " + minDaemons + " daemons connected to the server within " + wait);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("everywhere: interrupted while waiting for daemons", e);
                }
            }
            return everywhere(setup);
        }
        try {
            dispatcher.connectionsAtLeast(minDaemons).get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("everywhere: fewer than " + minDaemons + " daemons connected within " + wait
                    + ": connections=" + status().connections());
        } catch (ExecutionException e) {
            throw new IllegalStateException("everywhere: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("everywhere: interrupted while waiting for daemons", e);
        }
        return everywhere(setup);
    }

    /**
     * Sizes the pool to {@code target} daemons, like DockerParallel's {@code setWorkerNumber}: launches the missing
     * ones through the builder's {@link Builder#launchConfig launch config} (local by default) without waiting for
     * them, or retires connected ones until {@code target} are running or starting. A retired daemon takes no more
     * tasks; an idle one exits at once, a busy one after its task (no task is lost or failed). Launches still starting
     * count and are not withdrawn; connected daemons are retired only down to the target, and any surplus left when
     * those connect retires then. A launch whose daemon does not connect within the start timeout is killed (a
     * process) or cancelled (a batch job) and reported in {@link Status#launchFailures()}. Acts once: daemons lost
     * later are not replaced (use {@link Builder#fixedPool} or autoscale). Returns at once; {@link #status()} shows
     * {@code expected()}, {@code running()} and {@code initializing()}.
     *
     * <pre>{@code
     * daemons.scale(8);   // 8 running or starting
     * daemons.scale(2);   // 6 retire, each after its task
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code target < 0}
     * @throws IllegalStateException if autoscale is on, or these daemons are closed; on a client ({@link #connect}):
     *     if the server keeps no local pool ({@code --local N}), with why
     */
    public void scale(int target) {
        checkOpen();
        if (connected) {
            if (target < 0) {
                throw new IllegalArgumentException("target : " + target + " (expected: >= 0)");
            }
            server.scale(target);
            return;
        }
        scaler.scale(target);
    }

    /**
     * Returns every daemon to a clean state without restarting its JVM (AzureRMR's {@code init_pool}): forgets every
     * {@link #everywhere} setup (daemons that connect later get none), and on each daemon that takes tasks empties
     * {@link DaemonContext} and puts back the system properties (the working directory {@code user.dir} among them),
     * default locale and time zone the daemon started with. Each daemon runs the reset before any task it takes after
     * this call; a task running now finishes first. Later {@code everywhere} calls work as on a fresh pool. What a task
     * did outside the JVM's own state (files written, static fields of its classes) is not undone. Returns at once.
     *
     * <pre>{@code
     * Mirai.collect(daemons.reset());   // wait until every daemon is reset: each value is how many entries it dropped
     * }</pre>
     *
     * @return one future per daemon reset (on a client: resolved, once every daemon of the server has run it)
     * @throws IllegalStateException if these daemons are closed
     */
    public List<Mirai<Integer>> reset() {
        checkOpen();
        return connected ? server.reset() : submitter.reset();
    }

    /**
     * Maps and reduces on the daemons (AzureClusterlessHPC's {@code fetchreduce(…, remote = true)}): splits
     * {@code items} into contiguous chunks ({@link MapOptions#chunks(int)}; by default one per running daemon), each
     * sent as one task that applies {@code fn} to its elements and combines the results with {@code op} from
     * {@code identity}; this thread then combines the partial results in chunk order as they arrive. Only the partials
     * travel back, and the host never holds the elements' results. {@code op} must be associative with
     * {@code identity} as its identity. A chunk whose daemon is lost is re-run from its start (at least 3 times, or the
     * builder's retries if more) and counted once; a progress listener
     * in {@code options} is told chunks done out of chunks.
     *
     * <pre>{@code
     * long sumOfSquares = daemons.mapReduce(List.of(1, 2, 3, 4), x -> (long) x * x, 0L, Long::sum, MapOptions.defaults()); // 30
     * }</pre>
     *
     * @return the combination of every element's result ({@code identity} for no items)
     * @throws MiraiMapException if a chunk resolves to an error (its index is that of the chunk's first element; the
     *     other chunks are stopped)
     * @throws IllegalArgumentException if a chunk cannot be serialized
     * @throws InterruptedException if this thread is interrupted while waiting (the chunks are stopped)
     */
    public <T, R> R mapReduce(
            List<? extends T> items,
            MapFunction<? super T, ? extends R> fn,
            R identity,
            ReduceFunction<R> op,
            MapOptions options)
            throws InterruptedException {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(options, "options");
        checkOpen();
        return MapReduce.run(
                this::mirai, items, fn, identity, op, options, status().running(), submitter.defaultRetries());
    }

    /** What this client asks its server, for tests in this package; null for embedded daemons. */
    ServerSession serverSession() {
        return server;
    }

    /** The session secret, for tests in this package (the launchers pass it to daemons out of band). */
    String secret() {
        return secret;
    }

    /** @return a consistent snapshot of the daemons and the queue */
    public Status status() {
        if (connected) {
            return server.status();
        }
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
     * On a client ({@link #connect}) they connect to the server and take any client's tasks; they are this JVM's
     * children and are stopped (SIGTERM, then killed after 5 s) when it closes, their running tasks then run again on
     * the server's other daemons.
     *
     * @return the new processes
     * @throws DaemonStartException if one fails to start or connect in time (with its stderr)
     */
    public List<LocalProcess> launchLocal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n : " + n + " (expected: >= 0)");
        }
        List<LocalProcess> started = pool.start(n);
        pool.awaitConnected(started);
        return started;
    }

    /** On the dispatcher's thread: the daemon at {@code slot} is being recycled. */
    private void recycling(int slot) {
        LocalPool p = this.pool; // set right after the dispatcher starts, before any daemon can connect
        if (p != null) {
            p.recycling(slot);
        }
    }

    /** Runs one task in a daemon JVM started for it alone; everything is closed once the task resolves. */
    static <T> Mirai<T> ephemeral(Task<T> task) {
        Daemons d =
                builder().daemonOptions(DaemonOptions.defaults().maxTasks(1)).start();
        try {
            Mirai<T> m = d.mirai(task);
            List<LocalProcess> started = d.pool.start(1);
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
        String name = profile;
        if (name != null) {
            Profiles.closed(name, this);
        }
        scaler.close();
        gate.close();
        dispatcher.close(Duration.ofSeconds(5));
        if (connected) { // the server says no goodbye to this client's daemons: ask them to stop (SIGTERM) now
            pool.destroyAll();
        }
        pool.stopAll(Duration.ofSeconds(5));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs anyway
        }
    }

    void profile(String name) {
        this.profile = name;
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
        private Duration heartbeat = DispatcherConfig.DEFAULT_HEARTBEAT;
        private io.jmirai.tls.HostTls hostTls;
        private String secret;
        private ServerCredentials server;
        private io.jmirai.dispatcher.ClientService clientService;

        private MiraiOptions taskDefaults = MiraiOptions.defaults().retries(0);
        private long maxQueuedBytes;
        private boolean dispatcher = true;
        private Long seed;
        private Duration interruptGrace = DispatchPolicy.DEFAULT_INTERRUPT_GRACE;
        private boolean fixedPool;
        private int prefetch = DispatchPolicy.DEFAULT_PREFETCH;
        private DispatchEvents events = DispatchEvents.NOOP;
        private TaskObserver observer;
        private LaunchConfig<?> launchConfig = LaunchConfig.local();
        private Scaler.Autoscale autoscale;
        private int maxResultBytes;
        private Set<Class<?>> resultClasses;
        private boolean shipClasses = true;

        private Builder() {}

        /**
         * How {@link Daemons#scale(int)} and autoscale launch daemons: {@link LaunchConfig#local()} (the default, with
         * {@link #launcher(LocalLauncher)}), {@code LaunchConfig.ssh(…)}, {@code LaunchConfig.cluster("sbatch", …)}, a
         * command template such as {@code srun}, and so on ({@link LaunchConfig#manual()}, which runs nothing, is
         * refused). Launches
         * whose daemon has not connected within {@link #startTimeout(Duration)} are killed or cancelled and reported
         * in {@link Status#launchFailures()}. For SSH, each launch of {@code n} daemons starts {@code n} on every
         * remote it names.
         */
        public Builder launchConfig(LaunchConfig<?> value) {
            Objects.requireNonNull(value, "launchConfig");
            if (value instanceof LaunchConfig.Manual) {
                throw new IllegalArgumentException(
                        "launchConfig: a manual config launches nothing; scale needs one that"
                                + " runs daemons (local, ssh, cluster, remote, docker, kubernetes)");
            }
            this.launchConfig = value;
            return this;
        }

        /**
         * Limit on a result's encoded length (default: the frame limit). A longer result resolves to a
         * {@link MiraiError} without being decoded. Independently of it, every result is decoded with bounds: declared
         * array, collection and string sizes are checked against the bytes present before anything is allocated, and
         * nesting deeper than {@value io.jmirai.transport.serial.DecodeLimits#DEFAULT_MAX_DEPTH} is refused.
         */
        public Builder maxResultBytes(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxResultBytes : " + value + " (expected: > 0)");
            }
            this.maxResultBytes = value;
            return this;
        }

        /**
         * Autoscale: the pool grows while tasks wait, launching daemons with {@link #launchConfig} (up to {@code max}
         * launched or connected), and shrinks by retiring daemons that have been idle for {@code idle} (down to
         * {@code min}); {@code min} are launched at start, without waiting for them. The host retires them, not the
         * daemons' own idle time: a daemon is never sent a task while it exits. {@link Status#expected()} shows what
         * it aims at, {@code running()} and {@code initializing()} what there is.
         *
         * <pre>{@code
         * Daemons.builder().autoscale(0, 8, Duration.ofMinutes(2)).launchConfig(LaunchConfig.cluster("sbatch", "--mem=2G")).start();
         * }</pre>
         *
         * @throws IllegalArgumentException unless {@code 0 <= min <= max}, {@code max >= 1} and {@code idle > 0}
         */
        public Builder autoscale(int min, int max, Duration idle) {
            if (min < 0 || max < 1 || min > max) {
                throw new IllegalArgumentException(
                        "autoscale : min=" + min + ", max=" + max + " (expected: 0 <= min <= max, max >= 1)");
            }
            this.autoscale = new Scaler.Autoscale(min, max, positive("idle", idle));
            return this;
        }

        /**
         * Restricts the classes a result may contain to these (and arrays of them), primitives and a small set of
         * plain JDK types ({@link io.jmirai.transport.serial.DecodeLimits#BASE_CLASSES}: boxed primitives, strings,
         * big numbers, UUIDs, common java.time values and the common collections and maps). A result naming any other
         * class resolves to a {@link MiraiError} before that class is used, so no constructor, {@code readObject},
         * static initialiser or {@code hashCode} of an unexpected class on your classpath runs. Use it on networks you
         * do not trust. Default: any class (enums and records of yours must be listed too).
         */
        public Builder resultClasses(Class<?>... classes) {
            Objects.requireNonNull(classes, "classes");
            Set<Class<?>> set = new java.util.HashSet<>();
            for (Class<?> c : classes) {
                set.add(Objects.requireNonNull(c, "resultClasses element"));
            }
            this.resultClasses = set;
            return this;
        }

        io.jmirai.transport.serial.DecodeLimits resultLimits() {
            int max = maxResultBytes > 0
                    ? Math.min(maxResultBytes, maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD)
                    : maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD;
            return new io.jmirai.transport.serial.DecodeLimits(
                    max, io.jmirai.transport.serial.DecodeLimits.DEFAULT_MAX_DEPTH, resultClasses);
        }

        /** A default timeout for every task (none by default); {@link MiraiOptions#timeout(Duration)} overrides it. */
        public Builder timeout(Duration value) {
            this.taskDefaults = taskDefaults.timeout(value);
            return this;
        }

        /**
         * Default retries for every task (0 by default): how many times a task whose daemon is lost is queued again;
         * {@link MiraiOptions#retries(int)} overrides it.
         */
        public Builder retries(int n) {
            this.taskDefaults = taskDefaults.retries(n);
            return this;
        }

        /**
         * Backpressure: the most payload bytes that may wait to be sent to a daemon (0, the default, for no limit).
         * At the limit {@link Daemons#mirai} waits (interruptibly) for room and {@link Daemons#tryMirai} returns
         * empty; a single task larger than the limit is refused. {@link Status} shows the bytes used, the peak and
         * the limit.
         */
        public Builder maxQueuedBytes(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxQueuedBytes : " + n + " (expected: >= 0)");
            }
            this.maxQueuedBytes = n;
            return this;
        }

        /**
         * Remote class loading (on by default): a daemon that cannot load a class a task needs (a lambda's capturing
         * class, a record, a library) asks for it over its authenticated connection, and the host answers with the
         * class file from the task's class loader (else the loader current when this {@code Daemons} was built), so a
         * daemon started with only the daemon jar runs your tasks. Only {@code .class} files of valid binary names
         * outside {@code java.*} and the JDK, up to 4 MiB each, are served; never other resources. {@code false}
         * ships nothing (for sites that forbid it): the host does not advertise the capability, and a class missing
         * on a daemon fails its task with an error that names it and {@code --classpath}. A daemon opts out on its
         * own with {@code --no-class-loading} ({@link DaemonOptions#classLoading(boolean)}).
         */
        public Builder shipClasses(boolean value) {
            this.shipClasses = value;
            return this;
        }

        /**
         * The heartbeat interval (default 10 s): each side of a daemon connection sends a HEARTBEAT frame when it has
         * written nothing for that long, and drops a peer it has heard nothing from for three intervals, so a daemon
         * whose machine froze or left the network is reported lost (code 19, or a retry) instead of holding its task
         * for ever. {@code Duration.ZERO} turns heartbeats off.
         */
        public Builder heartbeat(Duration value) {
            Objects.requireNonNull(value, "heartbeat");
            if (value.isNegative() || (!value.isZero() && value.toMillis() == 0)) {
                throw new IllegalArgumentException("heartbeat : " + value + " (expected: zero, or >= 1 ms)");
            }
            this.heartbeat = value;
            return this;
        }

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
         * With {@code false}, direct mode: no central queue; each task is sent at once to the next connected daemon,
         * round-robin, and waits there behind that daemon's earlier tasks even if another daemon is idle. Timeouts
         * and {@link Mirai#stop()} still resolve the task at once (codes 5 and 20) and send CANCEL: the daemon drops
         * the task if it has not started it, or interrupts it. A daemon recycled for ignoring an interrupt takes the
         * tasks waiting at it along (code 19, or a retry). Tasks submitted while no daemon is connected wait at the
         * host. Default {@code true}: a dispatcher sends each task to the next idle daemon.
         */
        public Builder dispatcher(boolean value) {
            this.dispatcher = value;
            return this;
        }

        /**
         * How many tasks the dispatcher may send to one daemon at once (default {@value
         * DispatchPolicy#DEFAULT_PREFETCH}; 1: one at a time). A daemon still runs one task at a time, in the order
         * they were sent; the others wait there, so that it starts the next without a round trip to the host. A burst
         * spreads over every daemon before any daemon holds a second task. Tasks waiting at a daemon count as
         * executing in {@link Status}; timeouts and {@link Mirai#stop()} still resolve them at once (the daemon drops
         * them). When a daemon is lost or recycled, the tasks waiting there, which never started, go back to the
         * front of the queue in their order, without counting as a retry; only its oldest unanswered task can have
         * started, and it fails with code 19 (or is retried) as before. When a daemon is idle and nothing is queued,
         * a task waiting at another daemon is recalled and runs on the idle one (daemons that negotiated {@code
         * RECALL}), so a window never keeps a short task waiting behind a long one. Ignored in direct mode.
         */
        public Builder prefetch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("prefetch : " + n + " (expected: >= 1)");
            }
            this.prefetch = n;
            return this;
        }

        /**
         * Reproducible randomness: every task gets its own random stream ({@link DaemonContext#random()}), a function
         * of this seed and the task's submission index only (1 for the first task sent, 2 for the next, …; setups
         * do not count), so results do not depend on how many daemons there are or which one ran a task. A retried
         * task replays the same stream.
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * How long a daemon has to answer once its running task was cancelled (timeout or stop) before it is
         * recycled: its connection is closed, so it exits, and a local daemon is replaced at its slot (default 5 s).
         */
        public Builder interruptGrace(Duration value) {
            this.interruptGrace = positive("interruptGrace", value);
            return this;
        }

        /**
         * With {@code true}, keep the number of local daemons: one that dies (crashes, is killed, loses its
         * connection) is replaced at its slot by a new one, whose {@code instance} in the status counts up. Daemons
         * that exit by their own limits (idle time, wall time, task count) are not replaced. Default {@code false}
         * (recycled daemons are replaced either way).
         */
        public Builder fixedPool(boolean value) {
            this.fixedPool = value;
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

        /**
         * The session secret daemons must prove, instead of a fresh random one: for a host that must admit daemons
         * again after a restart (the standalone server keeps it in its store). At least 32 characters.
         */
        public Builder secret(String value) {
            Objects.requireNonNull(value, "secret");
            if (value.length() < 32) {
                throw new IllegalArgumentException("secret : " + value.length() + " characters (expected: >= 32)");
            }
            this.secret = value;
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
                if (server == null) {
                    d.launchLocal(local);
                }
                d.scaler.start();
                return d;
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }

        /**
         * Tells {@code value} of every task: submitted, sent to a daemon, resolved; for tracing, it may hand each task
         * a trace context that goes with it to the daemon. For OpenTelemetry spans, the {@code jmirai-opentelemetry}
         * module's {@code JMiraiTracing.observer(openTelemetry)}. Default: none, which costs nothing. Not used by a
         * client of a server ({@link Daemons#connect}): its tasks carry no trace context.
         */
        public Builder observer(TaskObserver value) {
            this.observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /**
         * Admits clients ({@link Daemons#connect}) and serves their requests with {@code value}: what the standalone
         * server sets. Without it (the default), clients are refused.
         *
         * @return this
         */
        public Builder clientService(io.jmirai.dispatcher.ClientService value) {
            this.clientService = Objects.requireNonNull(value, "clientService");
            return this;
        }

        /** Tells {@code value} what the dispatcher does (for tests in this package; not public API yet). */
        Builder events(DispatchEvents value) {
            this.events = Objects.requireNonNull(value, "events");
            return this;
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
     * of its own (a status row). The secret never appears in a command line. On a client ({@link #connect}) the server
     * reserves the slots and the daemons dial the server's URL, pinning its certificate; they serve every client.
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
                        launcher.command(slots.url(p.slot()), options, certificatePem),
                        null,
                        null,
                        "",
                        null));
            }
            return commands;
        }
        return launchRemote(n, config, k -> {});
    }

    /** Launches remote daemons, telling {@code onReserved} how many slots were reserved each time (for scaling). */
    private List<LaunchCommand> launchRemote(int n, LaunchConfig<?> config, IntConsumer onReserved) {
        List<Integer> reserved = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            return Launchers.launch(n, config, launchContext(reserved, onReserved));
        } catch (RuntimeException e) {
            slots.release(reserved); // a failed launch leaves no offline rows behind
            throw e;
        }
    }

    /**
     * @return {@code n} commands to start daemons by hand, ready to paste into a shell on the daemons' machines; each
     *     is followed by its {@link LaunchCommand#secretLine() secret line}, pasted as the next line
     */
    public List<LaunchCommand> launchRemote(int n) {
        return launchRemote(n, LaunchConfig.manual());
    }

    private LaunchContext launchContext(List<Integer> reserved, IntConsumer onReserved) {
        return new LaunchContext(
                dispatcher.url(),
                secret,
                certificatePem,
                options,
                k -> {
                    List<Integer> got = slots.reserve(k);
                    reserved.addAll(got);
                    onReserved.accept(k);
                    return got;
                },
                slots::connected,
                pool::hold);
    }
}
