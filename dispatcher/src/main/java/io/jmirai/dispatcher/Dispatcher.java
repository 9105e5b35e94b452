package io.jmirai.dispatcher;

import io.jmirai.ErrorValue;
import io.jmirai.Status;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.FrameHeader;
import io.netty.bootstrap.ServerBootstrap;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The dispatcher: a FIFO queue of tasks and the daemon connections they go to, one task in flight per daemon. Only
 * the head of the queue is dispatched, to an idle daemon; daemons may connect and leave at any time; a daemon lost
 * mid-task resolves its task to {@value ErrorValue#CONNECTION_RESET}.
 *
 * <p>Threading: all state is confined to one event loop, which also runs every daemon connection, so a result and
 * the next assignment happen in one pass without a thread hand-off. Other threads call {@link #submit}, which
 * enqueues a command on that loop. Task payloads are never copied or decoded here: each send writes a retained
 * duplicate of the payload behind a 16-byte header.
 */
public final class Dispatcher implements AutoCloseable {
    private final DispatcherConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel serverChannel;
    private final ListenUrl url;
    private final ChannelGroup channels;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Confined to the loop.
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>();
    private final ArrayDeque<DaemonConnection> idle = new ArrayDeque<>();
    private final Map<Integer, SlotRow> slots = new LinkedHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> slotWaiters = new HashMap<>();
    private int connections;
    private long cumulative;
    private long executing;
    private long completed;
    private int unauthenticated;
    private int nextSlot = 1;
    private int nextSharedRow = -1;
    private boolean shutdown;
    private Throwable lastConnectionError;

    private Dispatcher(DispatcherConfig config) {
        this.config = config;
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
        return new Dispatcher(config);
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
            task.complete(new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemons closed"));
            return;
        }
        queue.add(task);
        dispatch();
    }

    private void dispatch() {
        while (!queue.isEmpty() && !idle.isEmpty()) {
            DaemonConnection conn = idle.poll();
            if (!conn.channel().isActive() || conn.current != null) {
                continue;
            }
            TaskRecord task = queue.poll();
            assign(conn, task);
        }
    }

    private void assign(DaemonConnection conn, TaskRecord task) {
        conn.current = task;
        task.connection = conn;
        executing++;
        conn.row.assigned++;
        conn.send(task);
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

    boolean admitUnauthenticated() {
        if (shutdown || unauthenticated >= config.maxUnauthenticated()) {
            return false;
        }
        unauthenticated++;
        return true;
    }

    void releaseUnauthenticated() {
        unauthenticated--;
    }

    void connected(DaemonConnection conn) {
        connections++;
        cumulative++;
        SlotRow row = conn.row;
        row.online = true;
        row.instance++;
        row.connection = conn;
        idle.add(conn);
        dispatch();
        for (Map.Entry<Integer, SlotRow> e : slots.entrySet()) {
            if (e.getValue() == row) {
                CompletableFuture<Void> waiter = slotWaiters.remove(e.getKey());
                if (waiter != null) {
                    waiter.complete(null);
                }
                break;
            }
        }
    }

    void result(DaemonConnection conn, long taskId, Outcome.Result result) {
        TaskRecord task = conn.current;
        if (task == null || task.id() != taskId) {
            throw new io.jmirai.transport.protocol.ProtocolException(
                    "result for a task not assigned to this daemon: task=" + taskId + ", assigned="
                            + (task == null ? "none" : task.id()));
        }
        conn.current = null;
        executing--;
        completed++;
        conn.row.complete++;
        task.complete(result);
        idle.addFirst(conn);
        dispatch();
    }

    void disconnected(DaemonConnection conn) {
        connections--;
        conn.row.online = false;
        conn.row.connection = null;
        idle.remove(conn);
        TaskRecord task = conn.current;
        if (task != null) {
            conn.current = null;
            executing--;
            completed++;
            task.complete(
                    new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemon lost: pid=" + conn.pid));
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
            return new Status(url.toString(), connections, cumulative, queue.size(), executing, completed, rows);
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
                Outcome closedOutcome =
                        new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemons closed");
                TaskRecord t;
                while ((t = queue.poll()) != null) {
                    completed++;
                    t.complete(closedOutcome);
                }
                for (SlotRow row : slots.values()) {
                    DaemonConnection conn = row.connection;
                    if (conn != null && conn.current != null) {
                        TaskRecord running = conn.current;
                        conn.current = null;
                        executing--;
                        completed++;
                        running.complete(closedOutcome);
                    }
                    if (conn != null) {
                        conn.close("daemons closed");
                    }
                }
                for (CompletableFuture<Void> w : slotWaiters.values()) {
                    w.completeExceptionally(new IllegalStateException("daemons closed"));
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
