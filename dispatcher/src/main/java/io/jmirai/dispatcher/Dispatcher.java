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
import java.util.function.IntConsumer;
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
 *   <li>{@code PoolSizing}: which daemons retire when the pool scales down, the scale target, launch failures;
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
 *
 * <p>The file is over 400 lines because it is the one bridge from other threads onto the loop: each public method is
 * a bounded hop onto the loop that delegates to one of the parts above, with its contract in its Javadoc.
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
    private final PoolSizing sizing = new PoolSizing();

    private final ClientService clientService;
    private final ServerLink link;
    private final java.util.concurrent.atomic.AtomicLong taskIds = new java.util.concurrent.atomic.AtomicLong(1L << 48);

    private Dispatcher(DispatcherConfig config, DispatchPolicy policy, DispatchEvents events) {
        this(config, policy, events, null, null);
    }

    /**
     * @param clientService admits clients and serves their requests, or null to refuse clients
     * @param clientSsl non-null for a client's dispatcher: it listens nowhere and dials {@code config.url()} (a server)
     *     with this TLS context ({@code config.ssl()} is then unused); for plain URLs pass {@link #PLAIN}
     */
    private Dispatcher(
            DispatcherConfig config,
            DispatchPolicy policy,
            DispatchEvents events,
            ClientService clientService,
            Object clientSsl) {
        this.clientService = clientService;
        this.config = config;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.events = Objects.requireNonNull(events, "events");
        this.group = Transports.newGroup(1, "jmirai-dispatcher");
        this.loop = group.next();
        this.tasks = new TaskLifecycle(
                loop, policy.direct(), policy.prefetch(), policy.interruptGrace(), this::recycle, events);
        if (clientSsl != null) {
            this.listener = DaemonListener.unbound(config.url(), loop);
            this.link = new ServerLink(
                    this,
                    config.url(),
                    clientSsl instanceof io.netty.handler.ssl.SslContext c ? c : null,
                    config.secret(),
                    config.handshakeTimeout(),
                    loop);
        } else {
            try {
                this.listener = new DaemonListener(config, loop, () -> new DaemonConnection(this));
            } catch (IllegalStateException e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
            this.link = null;
            LOG.info("listening: url={}", Redact.url(listener.url()));
        }
        this.slots = new SlotRegistry(listener.url());
        if (clientService != null) {
            clientService.bind(this);
        }
    }

    /** Stands for "no TLS" in {@link #connect}'s TLS argument. */
    private static final Object PLAIN = new Object();

    /**
     * Binds the listener and starts dispatching, admitting clients that {@code clientService} serves (a server).
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(
            DispatcherConfig config, DispatchPolicy policy, DispatchEvents events, ClientService clientService) {
        return new Dispatcher(config, policy, events, clientService, null);
    }

    /**
     * Starts a client's dispatcher: it listens nowhere, dials the server at {@code config.url()} with the session
     * secret {@code config.secret()} and sends every task there (the server's one connection takes up to {@code
     * policy.prefetch()} tasks at once); waits until connected. Lost later, it dials again until closed; tasks in flight
     * at the server then fail with code 19.
     *
     * @param clientSsl the client TLS context for {@code tls+tcp://} and {@code wss://} URLs (the server's pinned
     *     certificate), else null
     * @param timeout how long to wait for the first connection
     * @throws IllegalStateException if the server cannot be reached or refuses (with why)
     */
    public static Dispatcher connect(
            DispatcherConfig config,
            DispatchPolicy policy,
            io.netty.handler.ssl.SslContext clientSsl,
            Duration timeout) {
        Dispatcher d = new Dispatcher(config, policy, DispatchEvents.NOOP, null, clientSsl != null ? clientSsl : PLAIN);
        d.link.dial();
        try {
            d.link.firstConnection.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return d;
        } catch (ExecutionException e) {
            d.close(Duration.ofSeconds(1));
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            d.close(Duration.ofSeconds(1));
            throw new IllegalStateException(
                    "cannot connect to the server within " + timeout + ": url=" + Redact.url(config.url()));
        } catch (InterruptedException e) {
            d.close(Duration.ofSeconds(1));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to the server", e);
        }
    }

    /**
     * Sends a {@link ClientCalls} request to the server (a client's dispatcher only). Thread-safe.
     *
     * @return the answer's payload; fails with an {@link IllegalStateException} (the server's message) if it failed
     * @throws IllegalStateException if this dispatcher is not a client's
     */
    public CompletableFuture<byte[]> request(int op, byte[] args) {
        if (link == null) {
            throw new IllegalStateException("not connected to a server: this dispatcher is embedded");
        }
        return link.request(op, args);
    }

    /** @return whether this is a client's dispatcher, connected (or reconnecting) to a server */
    public boolean isClient() {
        return link != null;
    }

    /** @return a fresh task id for records made outside {@code Daemons} (a server's clients and jobs). Thread-safe. */
    public long newTaskId() {
        return taskIds.incrementAndGet();
    }

    /**
     * @return how many of {@code records} are at a daemon now (sent, unresolved), counted on the dispatcher's thread;
     *     for a server's job status
     */
    public int sent(java.util.Collection<TaskRecord> records) {
        List<TaskRecord> copy = List.copyOf(records);
        return call(() -> {
            int n = 0;
            for (TaskRecord r : copy) {
                if (r.state == TaskRecord.State.RUNNING && !r.isDone()) {
                    n++;
                }
            }
            return n;
        });
    }

    ClientService clientService() {
        return clientService;
    }

    /** On the loop: the client's link authenticated; the channel becomes this dispatcher's upstream connection. */
    void upstreamConnected(
            io.netty.channel.ChannelHandlerContext ctx,
            io.netty.channel.ChannelHandler handshaker,
            ServerLink serverLink,
            io.jmirai.transport.protocol.Negotiated negotiated) {
        DaemonConnection conn = new DaemonConnection(this);
        conn.attachUpstream(ctx.channel(), negotiated, serverLink);
        String refusal = slots.claim(conn, 0, "", "");
        if (refusal != null || tasks.isShutdown()) {
            ctx.close();
            return;
        }
        listener.channels().add(ctx.channel());
        ctx.pipeline().replace(handshaker, "server", conn);
        connected(conn);
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
                int n;
                n = pinEverywhere(payload, newRecord);
                return n;
            });
        } catch (IllegalStateException e) {
            if (!taken[0]) {
                payload.release();
            }
            throw e.getCause() instanceof IllegalStateException c ? c : e;
        }
    }

    /** Pins a record made from a duplicate of {@code payload} to every daemon that takes tasks; @return how many */
    private int pinEverywhere(ByteBuf payload, Function<ByteBuf, TaskRecord> newRecord) {
        int n = 0;
        for (DaemonConnection conn : slots.online()) {
            if (!conn.takesTasks()) {
                continue;
            }
            tasks.pin(conn, newRecord.apply(payload.retainedDuplicate()));
            n++;
        }
        return n;
    }

    /**
     * Resets the daemons: forgets every {@code everywhere} setup (daemons that connect later get none), and runs
     * {@code payload} (a reset envelope) on every daemon that takes tasks, before any task it takes afterwards. A task
     * running on a daemon now finishes first. Thread-safe.
     *
     * @param payload the encoded reset; ownership passes to the dispatcher
     * @param newRecord makes one daemon's record from a duplicate of the payload (on the dispatcher's thread)
     * @return how many daemons it was sent to
     * @throws IllegalStateException if the dispatcher is closed
     */
    public int reset(ByteBuf payload, Function<ByteBuf, TaskRecord> newRecord) {
        boolean[] taken = new boolean[1];
        try {
            return call(() -> {
                taken[0] = true;
                try {
                    if (tasks.isShutdown()) {
                        throw new IllegalStateException("daemons are closed");
                    }
                    tasks.clearSetups();
                    return pinEverywhere(payload, newRecord);
                } finally {
                    payload.release();
                }
            });
        } catch (IllegalStateException e) {
            if (!taken[0]) {
                payload.release();
            }
            throw e.getCause() instanceof IllegalStateException c ? c : e;
        }
    }

    /**
     * Retires daemons (scaling down): each one chosen takes no more tasks and is closed (GOODBYE {@code RETIRED}, so
     * it exits) as soon as nothing is in flight on it; a busy one finishes its task first, so no task is lost or
     * failed. Idle daemons are chosen first, the longest idle first. Thread-safe.
     *
     * @param n at most this many
     * @param minIdle if not null, only daemons idle at least this long (autoscale); else busy ones too, after the idle
     * @param keep never leave fewer than this many daemons taking tasks
     * @param onRetire told each retired daemon's slot (0 for a daemon on the shared URL), on the dispatcher's thread
     * @return how many were retired
     */
    public int retire(int n, Duration minIdle, int keep, IntConsumer onRetire) {
        return call(() -> sizing.retire(slots.online(), tasks.policy(), n, minIdle, keep, onRetire));
    }

    /** Sets the scale target {@link Status#expected()} reports. Thread-safe. */
    public void expected(int target) {
        call(() -> {
            sizing.target(target);
            return null;
        });
    }

    /**
     * Reports a launch that failed or whose daemon never connected (what it started is already killed or cancelled),
     * and forgets its slot if it has never had a daemon. Thread-safe.
     *
     * @param slot the launch's slot, or 0 for none
     * @param why what happened, for {@link Status#launchFailures()}
     */
    public void launchFailed(int slot, String why) {
        call(() -> {
            if (slot > 0) {
                slots.release(List.of(slot));
            }
            sizing.launchFailed(why);
            return null;
        });
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
     * Reserves {@code n} per-daemon URLs: slots nobody launches a daemon for, so they do not count as initializing.
     * Thread-safe.
     *
     * @return the slot numbers
     */
    public List<Integer> reserveUrlSlots(int n) {
        return call(() -> slots.reserve(n, false));
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
        conn.idleSince = System.nanoTime();
        slots.connected(conn);
        if (events != DispatchEvents.NOOP) {
            events.daemonConnected(conn.row.id, conn.pid);
        }
        tasks.connected(conn);
        slots.notifyConnected(conn.row);
    }

    void result(DaemonConnection conn, long taskId, Outcome result) {
        tasks.result(conn, taskId, result);
        if (conn.inflight.isEmpty()) {
            conn.idleSince = System.nanoTime();
            sizing.closeIfRetired(conn);
        }
    }

    void disconnected(DaemonConnection conn) {
        slots.disconnected(conn);
        if (conn.retiring) {
            slots.forget(conn.row);
        }
        if (events != DispatchEvents.NOOP) {
            events.daemonLost(conn.row.id, conn.pid);
        }
        tasks.disconnected(conn);
        if (conn.upstream != null) {
            conn.upstream.lost();
        }
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
            int running = slots.running();
            int initializing = slots.initializing();
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
                    gate.capacity(),
                    sizing.expectedOr(running + initializing),
                    running,
                    initializing,
                    sizing.launchFailures());
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
        if (link != null) {
            link.stop();
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
