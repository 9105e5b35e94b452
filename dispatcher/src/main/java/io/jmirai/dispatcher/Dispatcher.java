package io.jmirai.dispatcher;

import io.jmirai.ErrorValue;
import io.jmirai.Status;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The dispatcher: a FIFO queue of tasks and the daemon connections they go to, one task in flight per daemon. Only
 * the head of the queue is dispatched, to an idle daemon; daemons may connect and leave at any time; a daemon lost
 * mid-task resolves its task to {@value ErrorValue#CONNECTION_RESET}, or queues it again while it has retries left.
 *
 * <p>Steering: a task's timeout (counted from submission) and {@link #cancel} resolve it at once; a queued task is
 * dropped, a running one is sent CANCEL, and its daemon becomes idle again only when its RESULT (cancelled or not)
 * comes back, which is then discarded, so a daemon never runs two tasks at once. A daemon that does not answer
 * within the policy's interrupt grace is recycled: closed, and reported through {@link DispatchPolicy#onRecycle()}.
 * {@code everywhere} setups ({@link #everywhere}) are pinned to each connected daemon, served before the shared
 * queue, and replayed to daemons that connect later. In direct mode ({@link DispatchPolicy#direct()}) there is no
 * central queue: each task is written at once to the next daemon, round-robin, and waits there.
 *
 * <p>Threading: all state is confined to one event loop, which also runs every daemon connection, so a result and
 * the next assignment happen in one pass without a thread hand-off. Other threads call {@link #submit}, which
 * enqueues a command on that loop. Task payloads are never copied or decoded here: each send writes a retained
 * duplicate of the payload behind a 16-byte header.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Outcome CLOSED =
            new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemons closed");
    private static final Outcome CANCELLED = new Outcome.Failure(ErrorValue.CANCELED, "canceled: stopped");

    private final DispatcherConfig config;
    private final DispatchPolicy policy;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel serverChannel;
    private final ListenUrl url;
    private final ChannelGroup channels;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Confined to the loop.
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>(); // resolved tasks stay until they reach the head
    private final ArrayDeque<DaemonConnection> idle = new ArrayDeque<>();
    private final List<DaemonConnection> online = new ArrayList<>(); // direct mode: the round-robin order
    private final List<ByteBuf> setups = new ArrayList<>(); // everywhere payloads, replayed to later daemons
    private final List<ConnectionsWaiter> connectionsWaiters = new ArrayList<>();
    private final List<InstanceWaiter> instanceWaiters = new ArrayList<>();
    private long awaiting;
    private int nextDirect;
    private long nextInternalId;
    private final Map<Integer, SlotRow> slots = new LinkedHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> slotWaiters = new HashMap<>();
    private final SharedRowPruner sharedRows = new SharedRowPruner();
    private final AdmissionLimiter admission;
    private int connections;
    private long cumulative;
    private long executing;
    private long completed;
    private int nextSlot = 1;
    private int nextSharedRow = -1;
    private boolean shutdown;
    private Throwable lastConnectionError;

    private Dispatcher(DispatcherConfig config, DispatchPolicy policy) {
        this.config = config;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.admission = new AdmissionLimiter(config.maxUnauthenticated());
        this.group = Transports.newGroup(1, "jmirai-dispatcher");
        this.loop = group.next();
        this.channels = new DefaultChannelGroup("jmirai-daemons", loop);
        Channel bound;
        try {
            bound = new ServerBootstrap()
                    .group(loop)
                    .channel(Transports.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            Pipelines.addServerPrefix(
                                    ch.pipeline(), config.url().scheme(), config.ssl(), config.handshakeTimeout());
                            ch.pipeline()
                                    .addLast(new io.jmirai.transport.protocol.FrameDecoder(
                                            FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                    .addLast(new DaemonConnection(Dispatcher.this));
                        }
                    })
                    .bind(config.url().host(), config.url().port())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen: url=" + config.url() + ": " + e.getMessage(), e);
        }
        this.serverChannel = bound;
        this.url = config.url()
                .withPort(((InetSocketAddress) bound.localAddress()).getPort())
                .withPath("");
    }

    /**
     * Binds the listener and starts dispatching.
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(DispatcherConfig config) {
        return new Dispatcher(config, DispatchPolicy.defaults());
    }

    /**
     * Binds the listener and starts dispatching with {@code policy}.
     *
     * @throws IllegalStateException if the URL cannot be bound
     */
    public static Dispatcher start(DispatcherConfig config, DispatchPolicy policy) {
        return new Dispatcher(config, policy);
    }

    /** @return the URL daemons dial, with the bound port */
    public ListenUrl url() {
        return url;
    }

    DispatcherConfig config() {
        return config;
    }

    /**
     * Queues a task. Thread-safe. If the dispatcher is closed, the task resolves to
     * {@value ErrorValue#CONNECTION_RESET}.
     */
    public void submit(TaskRecord task) {
        if (loop.inEventLoop()) {
            enqueue(task);
        } else {
            try {
                loop.execute(() -> enqueue(task));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                task.complete(new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemons closed"));
            }
        }
    }

    private void enqueue(TaskRecord task) {
        if (shutdown) {
            task.complete(CLOSED);
            return;
        }
        task.state = TaskRecord.State.QUEUED;
        awaiting++;
        queue.add(task);
        if (task.timeout() != null) {
            long delay = task.deadlineNanos() - System.nanoTime();
            if (delay <= 0) {
                expire(task);
            } else {
                task.timer = loop.schedule(() -> expire(task), delay, TimeUnit.NANOSECONDS);
            }
        }
        dispatch();
    }

    private void expire(TaskRecord task) {
        abort(task, new Outcome.Failure(ErrorValue.TIMED_OUT, "timed out: timeout=" + task.timeout()));
    }

    /**
     * Resolves a task before its RESULT: a queued task is dropped (it stays in its queue until it reaches the head),
     * a running one is sent CANCEL and its daemon stays busy until it answers or the grace runs out.
     *
     * @return whether the task was still unresolved
     */
    private boolean abort(TaskRecord task, Outcome outcome) {
        if (task.isDone()) {
            return false;
        }
        if (task.state == TaskRecord.State.RUNNING) {
            DaemonConnection conn = task.connection;
            count(task, 0, -1);
            task.complete(outcome);
            conn.cancel(task.id());
            loop.schedule(
                    () -> {
                        if (conn.inflight.get(task.id()) == task
                                && conn.channel().isActive()) {
                            recycle(
                                    conn,
                                    "task ignored its interrupt for " + policy.interruptGrace() + ": task=" + task.id()
                                            + ", pid=" + conn.pid);
                        }
                    },
                    policy.interruptGrace().toNanos(),
                    TimeUnit.NANOSECONDS);
        } else {
            count(task, -1, 0);
            task.complete(outcome);
        }
        return true;
    }

    /** Moves a user task between the status counters (internal replays are not counted); resolving adds 1 done. */
    private void count(TaskRecord task, int awaitingDelta, int executingDelta) {
        if (task.internal) {
            return;
        }
        awaiting += awaitingDelta;
        executing += executingDelta;
        if (awaitingDelta + executingDelta < 0) {
            completed++;
        }
    }

    /**
     * Cancels tasks: each unresolved one resolves to {@value ErrorValue#CANCELED}; a queued one is dropped, a running
     * one is interrupted on its daemon. Thread-safe; waits (bounded) for the dispatcher's answer.
     *
     * @return how many were still unresolved (a task that had already finished is left alone)
     */
    public int cancel(List<TaskRecord> tasks) {
        if (closed.get()) {
            return 0;
        }
        try {
            return call(() -> {
                int n = 0;
                for (TaskRecord t : tasks) {
                    if (t.state != TaskRecord.State.NEW && abort(t, CANCELLED)) {
                        n++;
                    }
                }
                return n;
            });
        } catch (IllegalStateException e) {
            if (closed.get()) {
                return 0; // closing resolved them all
            }
            throw e;
        }
    }

    private void recycle(DaemonConnection conn, String reason) {
        if (conn.recycling) {
            return;
        }
        conn.recycling = true;
        lastConnectionError = new IllegalStateException("daemon recycled: " + reason);
        idle.remove(conn);
        removeOnline(conn);
        if (conn.row.slot > 0) { // a reserved slot: its local daemon is replaced
            policy.onRecycle().accept(conn.row.slot);
        }
        conn.close("recycled: " + reason);
        conn.channel().close();
    }

    private static TaskRecord peekLive(ArrayDeque<TaskRecord> q) {
        TaskRecord t;
        while ((t = q.peek()) != null && t.isDone()) {
            q.poll();
        }
        return t;
    }

    private void dispatch() {
        if (policy.direct()) {
            while (!online.isEmpty() && peekLive(queue) != null) {
                if (nextDirect >= online.size()) {
                    nextDirect = 0;
                }
                assign(online.get(nextDirect++), queue.poll());
            }
            return;
        }
        while (!idle.isEmpty() && peekLive(queue) != null) {
            DaemonConnection conn = idle.poll();
            if (!conn.channel().isActive() || !conn.inflight.isEmpty() || conn.recycling) {
                continue;
            }
            TaskRecord task = queue.poll();
            assign(conn, task);
        }
    }

    /** Dispatcher mode: a daemon with nothing in flight takes its pinned setups first, then the queue's head. */
    private void becameFree(DaemonConnection conn) {
        if (!conn.channel().isActive() || conn.recycling || !conn.inflight.isEmpty()) {
            return;
        }
        TaskRecord next = peekLive(conn.pinned);
        if (next != null) {
            conn.pinned.poll();
        } else if ((next = peekLive(queue)) != null) {
            queue.poll();
        }
        if (next != null) {
            idle.remove(conn);
            assign(conn, next);
        } else if (!idle.contains(conn)) {
            idle.addFirst(conn);
        }
    }

    private void assign(DaemonConnection conn, TaskRecord task) {
        task.state = TaskRecord.State.RUNNING;
        task.connection = conn;
        conn.inflight.put(task.id(), task);
        if (!task.internal) {
            awaiting--;
            executing++;
        }
        conn.row.assigned++;
        conn.send(task);
    }

    private void removeOnline(DaemonConnection conn) {
        int i = online.indexOf(conn);
        if (i >= 0) {
            online.remove(i);
            if (i < nextDirect) {
                nextDirect--;
            }
        }
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
                if (shutdown) {
                    payload.release();
                    throw new IllegalStateException("daemons are closed");
                }
                setups.add(payload);
                int n = 0;
                for (SlotRow row : slots.values()) {
                    DaemonConnection conn = row.connection;
                    if (conn == null || conn.recycling || !conn.channel().isActive()) {
                        continue;
                    }
                    TaskRecord r = newRecord.apply(payload.retainedDuplicate());
                    pin(conn, r);
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

    private void pin(DaemonConnection conn, TaskRecord r) {
        r.pinned = true;
        r.state = TaskRecord.State.QUEUED;
        if (!r.internal) {
            awaiting++;
        }
        if (policy.direct()) {
            assign(conn, r);
        } else {
            conn.pinned.add(r);
            if (idle.contains(conn)) {
                becameFree(conn);
            }
        }
    }

    /**
     * @return a future that completes once at least {@code n} daemons are connected (at once if they are); it fails
     *     if the dispatcher closes first
     */
    public CompletableFuture<Void> connectionsAtLeast(int n) {
        return call(() -> {
            if (connections >= n) {
                return CompletableFuture.completedFuture(null);
            }
            ConnectionsWaiter w = new ConnectionsWaiter(n, new CompletableFuture<>());
            connectionsWaiters.add(w);
            return w.future();
        });
    }

    /**
     * @return a future that completes when a new daemon (a higher instance than the one there now, if any)
     *     authenticates at {@code slot}; for replacing a lost daemon
     */
    public CompletableFuture<Void> slotReconnected(int slot) {
        return call(() -> {
            SlotRow row = slots.get(slot);
            if (row == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown slot: slot=" + slot));
            }
            InstanceWaiter w = new InstanceWaiter(row, row.instance + 1, new CompletableFuture<>());
            instanceWaiters.add(w);
            return w.future();
        });
    }

    /**
     * Reserves {@code n} new daemon slots (for daemons this host launches). Thread-safe.
     *
     * @return the slot numbers
     */
    public List<Integer> reserveSlots(int n) {
        return call(() -> {
            List<Integer> reserved = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int slot = nextSlot++;
                slots.put(slot, new SlotRow(String.valueOf(slot), slot, url));
                slotWaiters.put(slot, new CompletableFuture<>());
                reserved.add(slot);
            }
            return reserved;
        });
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
            for (int slot : copy) {
                SlotRow row = slots.get(slot);
                if (slot > 0 && row != null && !row.online && row.instance == 0) {
                    slots.remove(slot);
                    CompletableFuture<Void> waiter = slotWaiters.remove(slot);
                    if (waiter != null) {
                        waiter.completeExceptionally(new IllegalStateException("slot released: slot=" + slot));
                    }
                }
            }
            return null;
        });
    }

    /** @return the URL a daemon dials to take {@code slot}: the listen URL with path {@code /slot[/token]} */
    public ListenUrl slotUrl(int slot) {
        return call(() -> {
            SlotRow row = slots.get(slot);
            if (row == null || slot <= 0) {
                throw new IllegalArgumentException("unknown slot: slot=" + slot);
            }
            return row.url();
        });
    }

    /**
     * Gives {@code slot} a fresh random token, so that a daemon holding the old URL can no longer connect there.
     *
     * @param force also close the connection of the daemon now at the slot
     * @return the slot's new URL
     */
    public ListenUrl regenerate(int slot, boolean force) {
        return call(() -> {
            SlotRow row = slots.get(slot);
            if (row == null || slot <= 0) {
                throw new IllegalArgumentException("unknown slot: slot=" + slot);
            }
            row.token = io.jmirai.transport.protocol.Handshake.newSecret().substring(0, 16);
            if (force && row.connection != null) {
                row.connection.close("slot regenerated");
            }
            return row.url();
        });
    }

    /**
     * @return a future that completes when a daemon next authenticates at {@code slot} (already connected: done)
     */
    public CompletableFuture<Void> slotConnected(int slot) {
        return call(() -> {
            SlotRow row = slots.get(slot);
            if (row != null && row.online) {
                return CompletableFuture.completedFuture(null);
            }
            return slotWaiters.computeIfAbsent(slot, s -> new CompletableFuture<>());
        });
    }

    /** Returns a refusal reason, or null when the connection may take the slot. */
    String claimSlot(DaemonConnection conn, int slot, String token, String path) {
        if (shutdown) {
            return "daemons closed";
        }
        SlotRow row;
        if (slot == 0) {
            int id = nextSharedRow--;
            if (!path.isEmpty() && !path.equals("/")) {
                return "unknown path: path=" + path;
            }
            row = new SlotRow("shared" + (-id), 0, url);
            slots.put(id, row);
        } else {
            row = slots.get(slot);
            if (row == null) {
                return "unknown slot: slot=" + slot;
            }
            if (!java.security.MessageDigest.isEqual(
                    row.token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    token.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                return "stale or wrong token for slot: slot=" + slot;
            }
            if (!path.isEmpty() && !path.equals("/") && !path.equals(row.path())) { // a path naming a slot must agree
                return "path does not match the handshake: path=" + path;
            }
            if (row.online) {
                return "slot taken: slot=" + slot;
            }
        }
        conn.row = row;
        return null;
    }

    boolean admitUnauthenticated(java.net.SocketAddress remote) {
        return !shutdown && admission.admit(remote);
    }

    void releaseUnauthenticated(java.net.SocketAddress remote) {
        admission.release(remote);
    }

    void connected(DaemonConnection conn) {
        connections++;
        cumulative++;
        SlotRow row = conn.row;
        row.online = true;
        row.instance++;
        row.connection = conn;
        for (ByteBuf setup : setups) {
            TaskRecord replay = new TaskRecord(--nextInternalId, setup.retainedDuplicate(), o -> {});
            replay.internal = true;
            pin(conn, replay);
        }
        if (policy.direct()) {
            online.add(conn);
            dispatch();
        } else {
            becameFree(conn);
        }
        connectionsWaiters.removeIf(w -> connections >= w.n() && w.future().complete(null));
        instanceWaiters.removeIf(w ->
                w.row() == row && row.instance >= w.instance() && w.future().complete(null));
        CompletableFuture<Void> waiter = row.slot > 0 ? slotWaiters.remove(row.slot) : null; // shared rows: none
        if (waiter != null) {
            waiter.complete(null);
        }
    }

    void result(DaemonConnection conn, long taskId, Outcome.Result result) {
        TaskRecord task = conn.inflight.remove(taskId);
        if (task == null) {
            throw new ProtocolException("result for a task not assigned to this daemon: task=" + taskId + ", assigned="
                    + (conn.inflight.isEmpty() ? "none" : conn.inflight.keySet()));
        }
        conn.row.complete++;
        if (!task.isDone()) {
            count(task, 0, -1);
            task.complete(result);
        } // else: the late answer of a task resolved by its timeout or a stop, discarded
        if (!policy.direct()) {
            becameFree(conn);
        }
    }

    void disconnected(DaemonConnection conn) {
        connections--;
        conn.row.online = false;
        conn.row.connection = null;
        if (conn.row.slot == 0) {
            sharedRows.wentOffline(slots);
        }
        idle.remove(conn);
        removeOnline(conn);
        List<TaskRecord> lost = new ArrayList<>(conn.inflight.values());
        conn.inflight.clear();
        for (int i = lost.size() - 1; i >= 0; i--) { // queued again at the front, in their order
            TaskRecord task = lost.get(i);
            if (!task.isDone()) {
                lose(task, conn);
            }
        }
        TaskRecord t;
        while ((t = conn.pinned.poll()) != null) {
            if (!t.isDone()) {
                count(t, -1, 0);
                t.complete(new Outcome.Failure(
                        ErrorValue.CONNECTION_RESET,
                        "connection reset: daemon lost before the setup ran: pid=" + conn.pid));
            }
        }
        dispatch();
    }

    private void lose(TaskRecord task, DaemonConnection conn) {
        task.losses++;
        if (!shutdown && !task.pinned && task.losses <= task.retries()) {
            if (!task.internal) {
                executing--;
                awaiting++;
            }
            task.state = TaskRecord.State.QUEUED;
            task.connection = null;
            task.regate();
            queue.addFirst(task);
            return;
        }
        count(task, 0, -1);
        if (task.retries() > 0 && !task.pinned && !shutdown) {
            task.complete(new Outcome.RetriesExhausted(
                    task.losses,
                    "daemon lost " + task.losses + " times: retries=" + task.retries() + " exhausted, last pid="
                            + conn.pid));
        } else {
            task.complete(new Outcome.Lost(conn.pid, "connection reset: daemon lost: pid=" + conn.pid));
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
            List<Status.DaemonStatus> rows = new ArrayList<>(slots.size());
            for (SlotRow r : slots.values()) {
                rows.add(new Status.DaemonStatus(
                        r.id, r.url().toString(), r.online, r.instance, r.assigned, r.complete));
            }
            QueueGate gate = policy.gate();
            return new Status(
                    url.toString(),
                    connections,
                    cumulative,
                    awaiting,
                    executing,
                    completed,
                    rows,
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
                shutdown = true;
                TaskRecord t;
                while ((t = queue.poll()) != null) {
                    if (!t.isDone()) {
                        count(t, -1, 0);
                        t.complete(CLOSED);
                    }
                }
                for (SlotRow row : slots.values()) {
                    DaemonConnection conn = row.connection;
                    if (conn == null) {
                        continue;
                    }
                    for (TaskRecord running : conn.inflight.values()) {
                        if (!running.isDone()) {
                            count(running, 0, -1);
                            running.complete(CLOSED);
                        }
                    }
                    while ((t = conn.pinned.poll()) != null) {
                        if (!t.isDone()) {
                            count(t, -1, 0);
                            t.complete(CLOSED);
                        }
                    }
                    conn.close("daemons closed");
                }
                for (ByteBuf setup : setups) {
                    setup.release();
                }
                setups.clear();
                for (CompletableFuture<Void> w : slotWaiters.values()) {
                    w.completeExceptionally(new IllegalStateException("daemons closed"));
                }
                for (ConnectionsWaiter w : connectionsWaiters) {
                    w.future().completeExceptionally(new IllegalStateException("daemons closed"));
                }
                for (InstanceWaiter w : instanceWaiters) {
                    w.future().completeExceptionally(new IllegalStateException("daemons closed"));
                }
                serverChannel.close();
                return null;
            });
            channels.newCloseFuture().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channels.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(timeout.toMillis() + 2000);
        }
    }

    /** Closes with a 5-second bound. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private <T> T call(java.util.concurrent.Callable<T> action) {
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
        } catch (TimeoutException e) {
            throw new IllegalStateException("dispatcher did not answer within 10 s", e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("dispatcher is closed", e);
        }
    }

    private record ConnectionsWaiter(int n, CompletableFuture<Void> future) {}

    private record InstanceWaiter(SlotRow row, int instance, CompletableFuture<Void> future) {}

    /** A status row: one daemon slot. Confined to the loop. */
    static final class SlotRow {
        final String id;
        final int slot;
        final ListenUrl base;
        String token = "";
        boolean online;
        int instance;
        long assigned;
        long complete;
        DaemonConnection connection;

        SlotRow(String id, int slot, ListenUrl base) {
            this.id = id;
            this.slot = slot;
            this.base = base;
        }

        String path() {
            return slot == 0 ? "" : "/" + slot + (token.isEmpty() ? "" : "/" + token);
        }

        ListenUrl url() {
            return base.withPath(path());
        }
    }
}
