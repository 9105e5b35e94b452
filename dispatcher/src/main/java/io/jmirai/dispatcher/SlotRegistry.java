package io.jmirai.dispatcher;

import io.jmirai.Status;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.Handshake;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon slots: one status row per reserved slot (with its URL token) or shared connection, which connection
 * holds each, the connection counts, and the three kinds of waiter (a slot's first daemon, a slot's next instance, at
 * least n connections).
 *
 * <p>Threading: confined to the dispatcher's event loop; the futures it hands out complete on that loop.
 */
final class SlotRegistry {
    private final ListenUrl base;
    private final Map<Integer, SlotRow> slots = new LinkedHashMap<>();
    private final SharedRowPruner sharedRows = new SharedRowPruner();
    private final Map<Integer, CompletableFuture<Void>> slotWaiters = new HashMap<>();
    private final List<ConnectionsWaiter> connectionsWaiters = new ArrayList<>();
    private final List<InstanceWaiter> instanceWaiters = new ArrayList<>();
    private int connections;
    private long cumulative;
    private int nextSlot = 1;
    private int nextSharedRow = -1;

    SlotRegistry(ListenUrl base) {
        this.base = base;
    }

    int connections() {
        return connections;
    }

    long cumulative() {
        return cumulative;
    }

    /** @return the connections now authenticated, in slot order (for everywhere and close) */
    List<DaemonConnection> online() {
        List<DaemonConnection> list = new ArrayList<>();
        for (SlotRow row : slots.values()) {
            if (row.connection != null) {
                list.add(row.connection);
            }
        }
        return list;
    }

    List<Integer> reserve(int n) {
        List<Integer> reserved = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int slot = nextSlot++;
            slots.put(slot, new SlotRow(String.valueOf(slot), slot, base));
            slotWaiters.put(slot, new CompletableFuture<>());
            reserved.add(slot);
        }
        return reserved;
    }

    void release(List<Integer> reserved) {
        for (int slot : reserved) {
            SlotRow row = slots.get(slot);
            if (slot > 0 && row != null && !row.online && row.instance == 0) {
                slots.remove(slot);
                CompletableFuture<Void> waiter = slotWaiters.remove(slot);
                if (waiter != null) {
                    waiter.completeExceptionally(new IllegalStateException("slot released: slot=" + slot));
                }
            }
        }
    }

    private SlotRow reserved(int slot) {
        SlotRow row = slots.get(slot);
        if (row == null || slot <= 0) {
            throw new IllegalArgumentException("unknown slot: slot=" + slot);
        }
        return row;
    }

    ListenUrl slotUrl(int slot) {
        return reserved(slot).url();
    }

    ListenUrl regenerate(int slot, boolean force) {
        SlotRow row = reserved(slot);
        row.token = Handshake.newSecret().substring(0, 16);
        if (force && row.connection != null) {
            row.connection.close("slot regenerated");
        }
        return row.url();
    }

    CompletableFuture<Void> slotConnected(int slot) {
        SlotRow row = slots.get(slot);
        if (row != null && row.online) {
            return CompletableFuture.completedFuture(null);
        }
        return slotWaiters.computeIfAbsent(slot, s -> new CompletableFuture<>());
    }

    CompletableFuture<Void> slotReconnected(int slot) {
        SlotRow row = slots.get(slot);
        if (row == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown slot: slot=" + slot));
        }
        InstanceWaiter w = new InstanceWaiter(row, row.instance + 1, new CompletableFuture<>());
        instanceWaiters.add(w);
        return w.future();
    }

    CompletableFuture<Void> connectionsAtLeast(int n) {
        if (connections >= n) {
            return CompletableFuture.completedFuture(null);
        }
        ConnectionsWaiter w = new ConnectionsWaiter(n, new CompletableFuture<>());
        connectionsWaiters.add(w);
        return w.future();
    }

    /**
     * Gives an authenticated connection its row: a new shared row for slot 0, else the reserved slot if the token and
     * path agree and no daemon holds it.
     *
     * @return a refusal reason, or null when {@code conn.row} is set
     */
    String claim(DaemonConnection conn, int slot, String token, String path) {
        SlotRow row;
        if (slot == 0) {
            int id = nextSharedRow--;
            if (!path.isEmpty() && !path.equals("/")) {
                return "unknown path: path=" + path;
            }
            row = new SlotRow("shared" + (-id), 0, base);
            slots.put(id, row);
        } else {
            row = slots.get(slot);
            if (row == null) {
                return "unknown slot: slot=" + slot;
            }
            if (!MessageDigest.isEqual(
                    row.token.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
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

    /** The connection's row goes online; counts it. Waiters are told by {@link #notifyConnected}. */
    void connected(DaemonConnection conn) {
        connections++;
        cumulative++;
        SlotRow row = conn.row;
        row.online = true;
        row.instance++;
        row.connection = conn;
    }

    /** Completes the waiters that the connection of {@code row} satisfies. */
    void notifyConnected(SlotRow row) {
        connectionsWaiters.removeIf(w -> connections >= w.n() && w.future().complete(null));
        instanceWaiters.removeIf(w ->
                w.row() == row && row.instance >= w.instance() && w.future().complete(null));
        CompletableFuture<Void> waiter = row.slot > 0 ? slotWaiters.remove(row.slot) : null; // shared rows: none
        if (waiter != null) {
            waiter.complete(null);
        }
    }

    void disconnected(DaemonConnection conn) {
        connections--;
        conn.row.online = false;
        conn.row.connection = null;
        if (conn.row.slot == 0) {
            sharedRows.wentOffline(slots);
        }
    }

    List<Status.DaemonStatus> rows() {
        List<Status.DaemonStatus> rows = new ArrayList<>(slots.size());
        for (SlotRow r : slots.values()) {
            rows.add(new Status.DaemonStatus(r.id, r.url().toString(), r.online, r.instance, r.assigned, r.complete));
        }
        return rows;
    }

    /** Fails every waiter: the dispatcher is closing. */
    void close() {
        for (CompletableFuture<Void> w : slotWaiters.values()) {
            w.completeExceptionally(new IllegalStateException("daemons closed"));
        }
        for (ConnectionsWaiter w : connectionsWaiters) {
            w.future().completeExceptionally(new IllegalStateException("daemons closed"));
        }
        for (InstanceWaiter w : instanceWaiters) {
            w.future().completeExceptionally(new IllegalStateException("daemons closed"));
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
