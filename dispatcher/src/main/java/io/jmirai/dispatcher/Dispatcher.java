package io.jmirai.dispatcher;

import io.jmirai.ErrorValue;
import io.jmirai.Status;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Transports;
import io.jmirai.transport.log.Redact;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher: a queue of tasks and the daemon connections they go to. This class is the conductor: it owns the
 * event loop, bridges other threads onto it, and wires the parts together, each with one job:
 *
 * <ul>
 *   <li>{@code DaemonListener}: the listening socket and admission of unauthenticated connections;
 *   <li>{@code DaemonConnection}: one daemon's handshake and frames;
 *   <li>{@code SlotRegistry}: daemon slots, their tokens and status rows, and the waiters on connections;
 *   <li>{@code TaskLifecycle}: a task's states (queued, running, resolved), timeouts, stops, retries, and
 *       {@code Counters};
 *   <li>{@code SchedulingPolicy}: which daemon takes which queued task ({@code PrefetchScheduling}, a window of
 *       tasks in flight per daemon; or {@code DirectScheduling}, round-robin without a central queue).
 * </ul>
 *
 * The data path: {@link #submit} → {@code TaskLifecycle.submit} (queued, timer armed) → {@code
 * SchedulingPolicy.submitted} → {@code TaskLifecycle} assign → {@code DaemonConnection.send} (TASK frame) … RESULT
 * frame → {@code DaemonConnection} → {@code result} → {@code TaskLifecycle.result} → the task's listener, and
 * {@code SchedulingPolicy.completed} hands the daemon its next task in the same pass.
 *
 * <p>Steering: a task's timeout (counted from submission) and {@link #cancel} resolve it at once; a queued task is
 * dropped, a running one is sent CANCEL, and its daemon becomes idle again only when its RESULT (cancelled or not)
 * comes back, which is then discarded, so a daemon never runs two tasks at once. A daemon that does not answer
 * within the policy's interrupt grace is recycled: closed, and reported through {@link DispatchPolicy#onRecycle()}.
 * {@code everywhere} setups ({@link #everywhere}) are pinned to each connected daemon, served before the shared
 * queue, and replayed to daemons that connect later. A daemon lost mid-task resolves its task to {@value
 * ErrorValue#CONNECTION_RESET}, or queues it again while it has retries left.
 *
 * <p>Threading: all state is confined to one event loop, which also runs every daemon connection, so a result and
 * the next assignment happen in one pass without a thread hand-off. Other threads call the public methods, which
 * enqueue a command on that loop (and, except {@link #submit}, wait a bounded time for its answer). Task payloads are
 * never copied or decoded here: each send writes a retained duplicate of the payload behind a 16-byte header.
 */
public final class Dispatcher implements AutoCloseable {
    private final DispatcherConfig config;
    private final DispatchPolicy policy;
    private final DispatchEvents events;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final DaemonListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Submissions from other threads: many producers, the loop drains; one wake-up of the loop per burst.
    private final Queue<TaskRecord> inbox = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drainInbox;

    // Confined to the loop.
    private final SlotRegistry slots;
    private final TaskLifecycle tasks;
    private Throwable lastConnectionError;

    private Dispatcher(DispatcherConfig config, DispatchPolicy policy, DispatchEvents events) {
        this.config = config;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.events = Objects.requireNonNull(events, "events");
        this.group = Transports.newGroup(1, "jmirai-dispatcher");
        this.loop = group.next();
        this.tasks = new TaskLifecycle(
                loop, policy.direct(), policy.prefetch(), policy.interruptGrace(), this::recycle, events);
        try {
            this.listener = new DaemonListener(config, loop, () -> new DaemonConnection(this));
        } catch (IllegalStateException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        this.slots = new SlotRegistry(listener.url());
        LOG.info("listening: url={}", Redact.url(listener.url()));
    }

    /**
     * Binds the listener and starts dispatching.
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(DispatcherConfig config) {
        return new Dispatcher(config, DispatchPolicy.defaults(), DispatchEvents.NOOP);
    }

    /**
     * Binds the listener and starts dispatching with {@code policy}.
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(DispatcherConfig config, DispatchPolicy policy) {
        return new Dispatcher(config, policy, DispatchEvents.NOOP);
    }

    /**
     * Binds the listener and starts dispatching with {@code policy}, telling {@code events} what happens.
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(DispatcherConfig config, DispatchPolicy policy, DispatchEvents events) {
        return new Dispatcher(config, policy, events);
    }

    /** @return the URL daemons dial, with the bound port */
    public ListenUrl url() {
        return listener.url();
    }

    DispatcherConfig config() {
        return config;
    }

    /**
     * Queues a task. Thread-safe: from another thread the task goes into an inbox that the loop drains, and the loop
     * is woken only by the first task of a burst. If the dispatcher is closed, the task resolves to
     * {@value ErrorValue#CONNECTION_RESET}.
     */
    public void submit(TaskRecord task) {
        if (loop.inEventLoop()) {
            tasks.submit(task);
            return;
        }
        inbox.offer(task);
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                TaskRecord t;
                while ((t = inbox.poll()) != null) {
                    t.complete(TaskLifecycle.CLOSED);
                }
            }
        }
    }

    /** On the loop: takes every task in the inbox; a task offered after the flag is cleared schedules another drain. */
    private void drainInbox() {
        drainScheduled.set(false);
        TaskRecord t;
        while ((t = inbox.poll()) != null) {
            tasks.submit(t);
        }
    }

    /**
     * Cancels tasks: each unresolved one resolves to {@value ErrorValue#CANCELED}; a queued one is dropped, a running
     * one is interrupted on its daemon. Thread-safe; waits (bounded) for the dispatcher's answer.
     *
     * @return how many were still unresolved (a task that had already finished is left alone)
     */
    public int cancel(List<TaskRecord> records) {
        if (closed.get()) {
            return 0;
        }
        try {
            return call(() -> tasks.cancel(records));
        } catch (IllegalStateException e) {
            if (closed.get()) {
                return 0; // closing resolved them all
            }
            throw e;
        }
    }

    /** Closes a daemon whose stopped task ignored its interrupt; a reserved slot's local daemon is replaced. */
    private void recycle(DaemonConnection conn, String reason) {
        if (conn.recycling) {
            return;
        }
        conn.recycling = true;
        LOG.warn("recycling daemon: daemon={}, pid={}, reason={}", conn.row.id, conn.pid, reason);
        lastConnectionError = new IllegalStateException("daemon recycled: " + reason);
        tasks.policy().lost(conn);
        if (conn.row.slot > 0) {
            policy.onRecycle().accept(conn.row.slot);
        }
        conn.close("recycled: " + reason);
        conn.channel().close();
    }

    /**
     * Runs a setup once on every daemon connected now, before any task they take from the queue afterwards, and on
     * every daemon that connects later (those runs are not reported). Thread-safe.
     *
     * @param payload the encoded setup; ownership passes to the dispatcher, which keeps it to replay it
     * @param newRecord makes the record for one daemon's run from a duplicate of the payload (called on the
     *     dispatcher's thread, once per connected daemon)
     * @return how many daemons it was sent to
     * @throws IllegalStateException if the dispatcher is closed
     */
    public int everywhere(ByteBuf payload, Function<ByteBuf, TaskRecord> newRecord) {
        boolean[] taken = new boolean[1];
        try {
            return call(() -> {
                taken[0] = true;
                if (tasks.isShutdown()) {
                    payload.release();
                    throw new IllegalStateException("daemons are closed");
                }
                tasks.addSetup(payload);
                int n = 0;
                for (DaemonConnection conn : slots.online()) {
                    if (conn.recycling || !conn.channel().isActive()) {
                        continue;
                    }
                    tasks.pin(conn, newRecord.apply(payload.retainedDuplicate()));
                    n++;
                }
                return n;
            });
        } catch (IllegalStateException e) {
            if (!taken[0]) {
                payload.release();
            }
            throw e.getCause() instanceof IllegalStateException c ? c : e;
        }
    }

    /**
     * @return a future that completes once at least {@code n} daemons are connected (at once if they are); it fails
     *     if the dispatcher closes first
     */
    public CompletableFuture<Void> connectionsAtLeast(int n) {
        return call(() -> slots.connectionsAtLeast(n));
    }

    /**
     * @return a future that completes when a new daemon (a higher instance than the one there now, if any)
     *     authenticates at {@code slot}; for replacing a lost daemon
     */
    public CompletableFuture<Void> slotReconnected(int slot) {
        return call(() -> slots.slotReconnected(slot));
    }

    /**
     * Reserves {@code n} new daemon slots (for daemons this host launches). Thread-safe.
     *
     * @return the slot numbers
     */
    public List<Integer> reserveSlots(int n) {
        return call(() -> slots.reserve(n));
    }

    /**
     * Forgets slots reserved for daemons that never connected (a failed launch), so they leave no offline rows; a
     * daemon that dials one later is refused. Slots that have had a daemon are kept. Thread-safe.
     */
    public void releaseSlots(List<Integer> reserved) {
        List<Integer> copy = List.copyOf(reserved);
        if (copy.isEmpty()) {
            return;
        }
        call(() -> {
            slots.release(copy);
            return null;
        });
    }

    /** @return the URL a daemon dials to take {@code slot}: the listen URL with path {@code /slot[/token]} */
    public ListenUrl slotUrl(int slot) {
        return call(() -> slots.slotUrl(slot));
    }

    /**
     * Gives {@code slot} a fresh random token, so that a daemon holding the old URL can no longer connect there.
     *
     * @param force also close the connection of the daemon now at the slot
     * @return the slot's new URL
     */
    public ListenUrl regenerate(int slot, boolean force) {
        return call(() -> slots.regenerate(slot, force));
    }

    /**
     * @return a future that completes when a daemon next authenticates at {@code slot} (already connected: done)
     */
    public CompletableFuture<Void> slotConnected(int slot) {
        return call(() -> slots.slotConnected(slot));
    }

    // Called by DaemonConnection, on the loop.

    /** Returns a refusal reason, or null when the connection may take the slot. */
    String claimSlot(DaemonConnection conn, int slot, String token, String path) {
        if (tasks.isShutdown()) {
            return "daemons closed";
        }
        return slots.claim(conn, slot, token, path);
    }

    boolean admitUnauthenticated(java.net.SocketAddress remote) {
        return !tasks.isShutdown() && listener.admit(remote);
    }

    void releaseUnauthenticated(java.net.SocketAddress remote) {
        listener.authenticated(remote);
    }

    /** A connection was refused before it authenticated (logged, rate-limited). */
    void refused(Channel ch, String reason) {
        listener.refused(ch, reason);
    }

    void connected(DaemonConnection conn) {
        slots.connected(conn);
        if (events != DispatchEvents.NOOP) {
            events.daemonConnected(conn.row.id, conn.pid);
        }
        tasks.connected(conn);
        slots.notifyConnected(conn.row);
    }

    void result(DaemonConnection conn, long taskId, Outcome.Result result) {
        tasks.result(conn, taskId, result);
    }

    void disconnected(DaemonConnection conn) {
        slots.disconnected(conn);
        if (events != DispatchEvents.NOOP) {
            events.daemonLost(conn.row.id, conn.pid);
        }
        tasks.disconnected(conn);
    }

    void connectionError(DaemonConnection conn, Throwable cause) {
        lastConnectionError = cause;
    }

    /** @return the last error that closed a daemon connection, or null (for diagnostics) */
    public Throwable lastConnectionError() {
        return call(() -> lastConnectionError);
    }

    /** @return a consistent snapshot, taken on the dispatcher's thread */
    public Status status() {
        return call(() -> {
            Counters c = tasks.counters();
            QueueGate gate = policy.gate();
            return new Status(
                    listener.url().toString(),
                    slots.connections(),
                    slots.cumulative(),
                    c.awaiting(),
                    c.executing(),
                    c.completed(),
                    slots.rows(),
                    gate.used(),
                    gate.peak(),
                    gate.capacity());
        });
    }

    /**
     * Stops: resolves every queued and running task to {@value ErrorValue#CONNECTION_RESET}, says goodbye to every
     * daemon and closes the listener. Idempotent; bounded by {@code timeout}.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            call(() -> {
                drainInbox(); // what was submitted before close resolves with the rest
                List<DaemonConnection> online = slots.online();
                tasks.close(online);
                for (DaemonConnection conn : online) {
                    conn.close("daemons closed");
                }
                slots.close();
                listener.closeServer();
                return null;
            });
            listener.channels().newCloseFuture().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            listener.channels().close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(timeout.toMillis() + 2000);
        }
    }

    /** Closes with a 5-second bound. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Runs {@code action} on the loop and waits for it (at once when already on the loop), at most 10 s. */
    private <T> T call(Callable<T> action) {
        if (loop.inEventLoop()) {
            try {
                return action.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(action).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the dispatcher", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("dispatcher failed: " + e.getCause(), e.getCause());
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("dispatcher is closed", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("dispatcher did not answer within 10 s", e);
        }
    }
}
