package io.jmirai;

import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.Launchers;
import io.jmirai.launch.LocalProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.IntConsumer;

/**
 * Sizes the pool: {@link #scale} launches daemons through the configured launcher, or retires connected ones, until a
 * target are running or starting; with autoscale, a tick every {@value #TICK_MILLIS} ms launches daemons while tasks
 * wait (up to {@code max}) and retires those idle for {@code idle} (down to {@code min}). Launches whose daemon has not
 * connected within the start timeout are killed (a local process, a held {@code ssh}/{@code srun}) or cancelled (a
 * batch job) and reported in {@link Status#launchFailures()}; after a failure, autoscale waits before launching again
 * (1 s, doubling up to 30 s, reset by the next daemon that connects).
 *
 * <p>Why the host retires idle daemons rather than the daemon's own {@code --idletime}: the decision is taken on the
 * dispatcher's thread, which also assigns tasks, so a daemon is never sent a task while it is exiting (with a
 * daemon-side limit the two race, and a task in flight would be lost or retried); it works the same for every launcher
 * and for daemons that were started by hand; and the idle time can be changed without relaunching anything.
 *
 * <p>Threading: thread-safe. {@link #scale} and the tick run under this object's lock, which is never held while a
 * launch waits: launches that block (an {@code ssh} held until its daemons connect, a job submission) run on
 * {@code jmirai-launch} threads, timers on the one {@code jmirai-scaler} thread. What runs on the dispatcher's thread
 * (retire callbacks, a daemon's connection) never takes that lock, since its holder may be waiting for the dispatcher:
 * it touches only atomics here and concurrent sets in {@link LocalPool}.
 */
final class Scaler implements AutoCloseable {
    static final long TICK_MILLIS = 100;
    private static final long MIN_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Autoscale bounds: between {@code min} and {@code max} daemons; idle ones retire after {@code idle}. */
    record Autoscale(int min, int max, Duration idle) {}

    private final Dispatcher dispatcher;
    private final LocalPool pool;
    private final LaunchConfig<?> config; // null: local daemons
    private final BiFunction<Integer, IntConsumer, List<LaunchCommand>> remoteLaunch;
    private final Duration startTimeout;
    private final Autoscale autoscale;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("jmirai-scaler"));
    private final ExecutorService launches = Executors.newCachedThreadPool(named("jmirai-launch"));
    private final AtomicBoolean closed = new AtomicBoolean();

    // Guarded by this.
    private int target = -1; // the last scale() target; -1: none
    private boolean ticking;
    private int launching; // daemons asked of remote launches whose slots may not be reserved yet
    // Lock-free: written by callbacks that run on the dispatcher's thread, which must never wait for this lock.
    private final AtomicInteger failures = new AtomicInteger(); // consecutive launch failures, for the backoff
    private final AtomicLong launchAfterNanos = new AtomicLong(System.nanoTime());

    /**
     * @param config how daemons are launched; null or {@link LaunchConfig#local()} for local daemons
     * @param remoteLaunch launches {@code n} daemons with {@code config} (not local), as {@code launchRemote} does,
     *     telling the consumer how many slots it reserved each time it reserves some
     * @param autoscale the bounds, or null for none
     */
    Scaler(
            Dispatcher dispatcher,
            LocalPool pool,
            LaunchConfig<?> config,
            BiFunction<Integer, IntConsumer, List<LaunchCommand>> remoteLaunch,
            Duration startTimeout,
            Autoscale autoscale) {
        this.dispatcher = dispatcher;
        this.pool = pool;
        this.config = config instanceof LaunchConfig.Local ? null : config;
        this.remoteLaunch = remoteLaunch;
        this.startTimeout = startTimeout;
        this.autoscale = autoscale;
    }

    /** Starts the autoscale tick, if autoscale is on. */
    void start() {
        if (autoscale != null) {
            dispatcher.expected(autoscale.min());
            timer.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** See {@link Daemons#scale(int)}. */
    synchronized void scale(int target) {
        if (target < 0) {
            throw new IllegalArgumentException("target : " + target + " (expected: >= 0)");
        }
        if (autoscale != null) {
            throw new IllegalStateException("autoscale is on: it sizes the pool between min=" + autoscale.min()
                    + " and max=" + autoscale.max());
        }
        checkOpen();
        this.target = target;
        dispatcher.expected(target);
        Status s = dispatcher.status();
        int existing = s.running() + s.initializing() + launching;
        if (target > existing) {
            launch(target - existing);
        } else {
            retireSurplus(s);
        }
        if (!ticking) { // daemons still starting may connect after a scale down: the tick retires the surplus then
            ticking = true;
            timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Retires connected daemons beyond the target, counting those still starting, but never so many that fewer than
     * the target stay running (those starting may never connect). Holds the lock.
     */
    private void retireSurplus(Status s) {
        int surplus = s.running() + s.initializing() + launching - target;
        if (surplus > 0) {
            dispatcher.retire(surplus, null, Math.min(target, s.running()), pool::retiring);
        }
    }

    /** Every tick: the autoscale decision (launch while tasks wait, retire the long idle), or a scale's surplus. */
    private synchronized void tick() {
        if (closed.get()) {
            return;
        }
        try {
            Status s = dispatcher.status();
            if (autoscale == null) {
                retireSurplus(s);
                return;
            }
            int starting = s.initializing() + launching;
            int existing = s.running() + starting;
            int want = existing;
            if (s.awaiting() > starting) {
                want = (int) Math.min(autoscale.max(), existing + (s.awaiting() - starting));
            }
            want = Math.max(want, autoscale.min());
            if (want > existing) {
                if (System.nanoTime() - launchAfterNanos.get() >= 0) {
                    launch(want - existing);
                }
            } else if (s.awaiting() == 0) {
                want -= dispatcher.retire(Integer.MAX_VALUE, autoscale.idle(), autoscale.min(), pool::retiring);
            }
            dispatcher.expected(Math.max(autoscale.min(), want));
        } catch (RuntimeException e) {
            if (!closed.get()) {
                dispatcher.launchFailed(0, "autoscale: " + e);
            }
        }
    }

    /** Launches {@code n} daemons without waiting for them; watches each until it connects. Holds the lock. */
    private void launch(int n) {
        if (config == null) {
            List<LocalProcess> started;
            try {
                started = pool.start(n);
            } catch (DaemonStartException e) {
                failed(0, e.getMessage());
                return;
            }
            for (LocalProcess p : started) {
                watchLocal(p);
            }
            return;
        }
        launching += n;
        try {
            launches.execute(() -> launchRemote(n));
        } catch (RejectedExecutionException e) {
            launching -= n; // closed
        }
    }

    /** On a launch thread: a held launch returns once its daemons connected; a job submission once submitted. */
    private void launchRemote(int n) {
        AtomicInteger unreserved = new AtomicInteger(n);
        try {
            List<LaunchCommand> commands = remoteLaunch.apply(
                    n,
                    k -> { // reserved slots count as initializing now
                        unreserved.addAndGet(-k);
                        synchronized (this) {
                            launching -= k;
                        }
                    });
            for (LaunchCommand c : commands) {
                if (c.jobId() != null) {
                    for (int slot : c.slots()) {
                        watchJob(c, slot);
                    }
                } else {
                    succeeded();
                }
            }
        } catch (RuntimeException e) {
            if (!closed.get()) {
                failed(0, "launch of " + n + " failed: " + e.getMessage());
            }
        } finally {
            synchronized (this) {
                launching -= unreserved.get();
            }
        }
    }

    private void watchLocal(LocalProcess p) {
        int slot = p.slot();
        CompletableFuture<Void> connected = dispatcher.slotConnected(slot);
        AtomicBoolean reported = new AtomicBoolean();
        connected.thenRun(this::succeeded);
        p.process().onExit().thenRun(() -> {
            if (!connected.isDone() && reported.compareAndSet(false, true)) {
                failed(
                        slot,
                        "local daemon exited before connecting: slot=" + slot + ", exitCode="
                                + p.process().exitValue() + ", stderr: " + p.stderr());
            }
        });
        schedule(() -> {
            if (!connected.isDone() && reported.compareAndSet(false, true)) {
                String stderr = p.stderr();
                p.process().destroyForcibly();
                failed(
                        slot,
                        "local daemon did not connect within " + startTimeout + ": slot=" + slot + ", pid="
                                + p.process().pid() + " (killed), stderr: " + stderr);
            }
        });
    }

    private void watchJob(LaunchCommand job, int slot) {
        CompletableFuture<Void> connected = dispatcher.slotConnected(slot);
        connected.thenRun(this::succeeded);
        schedule(() -> {
            if (!connected.isDone()) {
                launches.execute(() -> {
                    Launchers.cancel(config, List.of(job));
                    failed(
                            slot,
                            "job did not connect within " + startTimeout + ": slot=" + slot + ", jobId=" + job.jobId()
                                    + " (cancelled with " + job.command().get(0) + "'s cancel command)");
                });
            }
        });
    }

    private void schedule(Runnable check) {
        try {
            timer.schedule(check, startTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: close() stops what was started
        }
    }

    /** A daemon connected: the backoff ends. Runs on the dispatcher's thread: takes no lock. */
    private void succeeded() {
        failures.set(0);
        launchAfterNanos.set(System.nanoTime());
    }

    private void failed(int slot, String why) {
        int n = failures.incrementAndGet();
        launchAfterNanos.set(System.nanoTime() + Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(n - 1, 5)));
        if (closed.get()) {
            return;
        }
        try {
            dispatcher.launchFailed(slot, why);
        } catch (IllegalStateException e) {
            // the dispatcher closed meanwhile: nothing to report to
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
    }

    /** Stops the tick and the timers; launches under way end with the dispatcher (their slots fail). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.shutdownNow();
        launches.shutdown();
    }

    private static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
