package io.jmirai;

import io.jmirai.api.ExitCode;
import io.jmirai.launch.LocalLauncher;
import io.jmirai.launch.LocalProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon processes this JVM started: local daemons at reserved slots (launched, waited for, replaced when
 * recycled or, in a fixed pool, when they die), and the processes of remote launches that this host holds. Stops them
 * all on close, and kills them if the JVM exits first.
 *
 * <p>Threading: thread-safe. The process list is guarded by itself; {@link #recycling} runs on the dispatcher's thread,
 * which must never wait for that lock (its holders wait for the dispatcher), so it reads only concurrent maps. Exit
 * callbacks run on the JDK's process reaper threads.
 */
final class LocalPool {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPool.class);

    private final Slots slots;
    private final LocalLauncher launcher;
    private final DaemonOptions options;
    private final String secret;
    private final String certificatePem;
    private final Duration startTimeout;
    private final boolean fixedPool;
    private final AtomicBoolean closed;
    private final DaemonExits exits;
    private final List<LocalProcess> processes = new ArrayList<>(); // guarded by itself
    // Written under the processes lock; read without it by the dispatcher's thread.
    private final Map<Integer, Launched> bySlot = new ConcurrentHashMap<>();
    private final Set<Integer> recycled = ConcurrentHashMap.newKeySet();
    private final Set<Integer> retired = ConcurrentHashMap.newKeySet();

    /**
     * @param closed set when the owning {@link Daemons} closes: nothing is replaced from then on
     * @param exits told of every process, so that a task lost with one can say how it ended
     */
    LocalPool(
            Slots slots,
            LocalLauncher launcher,
            DaemonOptions options,
            String secret,
            String certificatePem,
            Duration startTimeout,
            boolean fixedPool,
            AtomicBoolean closed,
            DaemonExits exits) {
        this.slots = slots;
        this.exits = exits;
        this.launcher = launcher;
        this.options = options;
        this.secret = secret;
        this.certificatePem = certificatePem;
        this.startTimeout = startTimeout;
        this.fixedPool = fixedPool;
        this.closed = closed;
    }

    /** A local daemon and whether it has connected. */
    private record Launched(LocalProcess process, CompletableFuture<Void> connected) {}

    /** Starts {@code n} local daemons, each at a new slot, without waiting for them. */
    List<LocalProcess> start(int n) {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
        List<LocalProcess> started = new ArrayList<>(n);
        for (int slot : slots.reserve(n)) {
            LocalProcess p;
            try {
                p = launcher.launch(slots.url(slot), slot, options, secret, certificatePem);
            } catch (IOException | IllegalStateException e) { // IllegalStateException: no daemon jar found
                LOG.warn("cannot start a local daemon: slot={}, cause={}", slot, e.toString());
                throw new DaemonStartException("cannot start a local daemon: " + e.getMessage(), e);
            }
            synchronized (processes) {
                processes.add(p);
                watch(new Launched(p, slots.connected(slot)));
            }
            started.add(p);
        }
        return started;
    }

    /** Holds a process started by a remote launch (ssh, srun …), to stop it on close. */
    void hold(LocalProcess p) {
        synchronized (processes) {
            processes.add(p);
        }
        if (closed.get()) {
            p.process().destroy();
        }
    }

    private void watch(Launched l) {
        bySlot.put(l.process().slot(), l);
        exits.track(l.process().process());
        l.process().process().onExit().thenRun(() -> exited(l));
    }

    /** On the dispatcher's thread: the daemon at {@code slot} is being recycled; make sure its process ends. */
    void recycling(int slot) {
        recycled.add(slot);
        Launched l = bySlot.get(slot);
        if (l != null) {
            Process p = l.process().process();
            p.onExit().completeOnTimeout(p, 5, TimeUnit.SECONDS).thenAccept(Process::destroyForcibly);
        }
    }

    /**
     * On the dispatcher's thread: the daemon at {@code slot} was retired (scaled down); when it exits it is not
     * replaced, and its process is forgotten.
     */
    void retiring(int slot) {
        if (slot > 0) {
            retired.add(slot);
        }
    }

    /**
     * A local daemon exited: a retired one is forgotten; a recycled one is always replaced at its slot; one that died otherwise is replaced in a
     * fixed pool, unless it reached one of its own limits (exit codes of their own, so a task's {@code System.exit(1)}
     * is replaced); one that asks to be recycled ({@link ExitCode#RECYCLE}) always is. One that never connected is not
     * replaced (it would fail again), unless a signal killed it.
     */
    private void exited(Launched l) {
        int slot = l.process().slot();
        boolean wasRecycled = recycled.remove(slot);
        if (closed.get()) {
            return;
        }
        if (retired.remove(slot)) {
            synchronized (processes) {
                processes.remove(l.process());
                bySlot.remove(slot, l);
            }
            l.process().stop(Duration.ZERO); // exited already: removes its log
            return;
        }
        int code = l.process().process().exitValue();
        boolean replace = wasRecycled || code == ExitCode.RECYCLE || (fixedPool && !ExitCode.isLimit(code));
        boolean connected = l.connected().isDone() && !l.connected().isCompletedExceptionally();
        boolean limit = ExitCode.isLimit(code);
        if (limit) {
            LOG.info("local daemon reached its limit and exited: slot={}, pid={}, exitCode={}", slot, pid(l), code);
        } else if (!wasRecycled) {
            // the daemon's stderr is in a temporary file that goes with it: keep its last words in the log
            LOG.warn(
                    "local daemon exited: slot={}, pid={}, exitCode={}, replaced={}, stderr:\n{}",
                    slot,
                    pid(l),
                    code,
                    replace && (connected || (fixedPool && ExitCode.killedBySignal(code))),
                    l.process().stderr());
        }
        // one that exits before connecting failed to start (not replaced, or it would loop), unless a signal killed it
        if (!(connected || (fixedPool && ExitCode.killedBySignal(code))) || !replace) {
            return;
        }
        synchronized (processes) {
            if (closed.get() || bySlot.get(slot) != l) {
                return;
            }
            try {
                CompletableFuture<Void> reconnected = slots.reconnected(slot);
                LocalProcess p = launcher.launch(slots.url(slot), slot, options, secret, certificatePem);
                processes.remove(l.process());
                processes.add(p);
                watch(new Launched(p, reconnected));
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot replace local daemon: slot={}, cause={}", slot, e.toString());
                return; // the pool shrinks; the status shows the slot offline
            }
        }
        l.process().stop(Duration.ZERO); // exited already: removes its log
    }

    private static long pid(Launched l) {
        return l.process().process().pid();
    }

    /**
     * Waits (at most the start timeout) until every process of {@code started} has connected.
     *
     * @throws DaemonStartException if one exits first or the time runs out (with its stderr)
     */
    void awaitConnected(List<LocalProcess> started) {
        try {
            awaitAll(started);
        } catch (DaemonStartException e) {
            LOG.warn("local daemons failed to start: {}", e.getMessage());
            throw e;
        }
    }

    private void awaitAll(List<LocalProcess> started) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (LocalProcess p : started) {
            CompletableFuture<Void> connected = slots.connected(p.slot());
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

    /** Waits for every process to exit (the dispatcher said goodbye), killing any that do not within the bound. */
    void stopAll(Duration timeout) {
        List<LocalProcess> all;
        synchronized (processes) {
            all = List.copyOf(processes);
        }
        LocalProcess.stopAll(all, timeout); // in parallel: one deadline however many are stuck
    }

    /** The JVM is exiting: asks every process to end. */
    void destroyAll() {
        synchronized (processes) {
            for (LocalProcess p : processes) {
                p.process().destroy();
            }
        }
    }
}
