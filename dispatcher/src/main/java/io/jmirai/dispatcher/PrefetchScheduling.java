package io.jmirai.dispatcher;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The default policy: one central FIFO queue, and a window of up to {@code window} tasks in flight per daemon. The
 * daemon runs the tasks it holds one at a time, in the order they were sent, so at most one of them is running; the
 * others wait there, prefetched, so that a daemon that finishes a task starts the next without a round trip to the
 * host. A window of 1 is one task in flight per daemon (no prefetch).
 *
 * <p>Which daemon: a daemon with nothing in flight first (the most recently freed first), then one with room in its
 * window (round-robin), so that a burst spreads over every daemon before any daemon holds a second task. Room is
 * counted in tasks ({@code window}) and in payload bytes ({@link #PREFETCH_BYTES}): when the queue's head does not fit
 * the next daemon with room, it waits for a daemon to answer. A daemon
 * that answers takes its pinned setups first, then returned tasks, then the queue's head, until its window is full.
 *
 * <p>Returned tasks: a task that was sent to a daemon but cannot have started there (it was behind the oldest
 * unanswered one when the daemon was lost or recycled) comes back through {@link #requeued}, as does a retried task;
 * returned tasks wait in submission order ({@link TaskRecord#seq}) ahead of the queue: every task in the queue was
 * submitted after any task that was ever sent, so the queue stays in FIFO order.
 *
 * <p>Recall: when a daemon is idle, nothing is queued here, and another daemon holds tasks waiting behind its running
 * one, the newest waiting task of the daemon that holds the most is recalled (RECALL, only to daemons that
 * negotiated it): the daemon drops it if it has not started it and answers so, and the task comes back through
 * {@link #requeued} and {@link #recalled} and goes to an idle daemon first; if it had started, its RESULT comes as
 * usual and the next idle moment recalls another. At most one recall is pending per idle daemon, so a window never
 * keeps a short task waiting behind a long one while a daemon sits idle, for more than a round trip. Taking the
 * newest keeps every daemon's own tasks in submission order.
 *
 * <p>Cost: O(1) per task and per answer, whatever the number of daemons (the lists of daemons with room are
 * intrusive, {@link DaemonList}); O(log r) for r returned tasks. A recall looks at every daemon holding waiting
 * tasks (O(daemons x window)), but only when a daemon is idle and the queue empty, and each one moves a task.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class PrefetchScheduling implements SchedulingPolicy {
    /**
     * A daemon that holds a task takes another only while the payload bytes it holds stay within this: prefetching
     * saves a round trip per task, which matters for small tasks; large ones would only sit in the daemon's memory
     * (and be sent twice if recalled). A task larger than this goes only to a daemon that holds nothing.
     */
    static final long PREFETCH_BYTES = 1 << 20;

    private final Assigner assigner;
    private final int window;
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>(); // resolved tasks stay until they reach the head
    private final PriorityQueue<TaskRecord> returned = new PriorityQueue<>(Comparator.comparingLong(t -> t.seq));
    private final DaemonList idle = new DaemonList(); // online, nothing in flight
    private final DaemonList room = new DaemonList(); // online, something in flight, room for more
    // online, recall negotiated, and holding tasks behind its first one (candidates to recall from)
    private final Set<DaemonConnection> stacked = Collections.newSetFromMap(new IdentityHashMap<>());
    private int recallsPending; // RECALL frames sent and not yet answered

    PrefetchScheduling(int window, Assigner assigner) {
        if (window < 1) {
            throw new IllegalArgumentException("window : " + window + " (expected: >= 1)");
        }
        this.window = window;
        this.assigner = assigner;
    }

    @Override
    public void submitted(TaskRecord task) {
        queue.add(task);
        dispatch();
    }

    @Override
    public void requeued(TaskRecord task) {
        returned.add(task);
    }

    @Override
    public boolean returnsUnstarted() {
        return true;
    }

    @Override
    public void pinned(DaemonConnection conn, TaskRecord task) {
        conn.pinned.add(task);
        if (conn.list != null) {
            feed(conn); // it has room now
        }
    }

    @Override
    public void connected(DaemonConnection conn) {
        feed(conn);
    }

    @Override
    public void completed(DaemonConnection conn) {
        feed(conn);
    }

    @Override
    public void recalled(DaemonConnection conn) {
        dispatch(); // the task given back goes to an idle daemon first
        feed(conn);
    }

    @Override
    public void recallSettled() {
        recallsPending--;
    }

    @Override
    public void lost(DaemonConnection conn) {
        DaemonList.unlink(conn);
        stacked.remove(conn);
    }

    @Override
    public void dispatch() {
        DaemonConnection conn;
        while ((conn = idle.isEmpty() ? room.first() : idle.first()) != null) {
            if (!open(conn)) {
                DaemonList.unlink(conn);
                continue;
            }
            TaskRecord next = peekShared();
            if (next == null || !fits(conn, next)) {
                break; // nothing to send; or the head is too large to wait at a busy daemon: an answer frees one
            }
            takeShared(next);
            assigner.assign(conn, next);
            list(conn);
        }
        recallForIdle();
    }

    /** A daemon with room takes its pinned setups first, then shared work, until its window is full. */
    private void feed(DaemonConnection conn) {
        if (!open(conn)) {
            lost(conn);
            return;
        }
        while (conn.inflight.size() < window) {
            TaskRecord next = SchedulingPolicy.peekLive(conn.pinned);
            boolean pinned = next != null;
            if (!pinned) {
                next = peekShared();
            }
            if (next == null || !fits(conn, next)) {
                break;
            }
            if (pinned) {
                conn.pinned.poll();
            } else {
                takeShared(next);
            }
            assigner.assign(conn, next);
        }
        list(conn);
        recallForIdle();
    }

    /** Puts {@code conn} in the list its window says: idle at the front, room at the back, full in none. */
    private void list(DaemonConnection conn) {
        int n = conn.inflight.size();
        if (n == 0) {
            if (conn.list != idle) {
                idle.addFirst(conn);
            }
        } else if (n < window) {
            room.addLast(conn);
        } else {
            DaemonList.unlink(conn);
        }
        if (conn.recalls && n >= 2) {
            stacked.add(conn);
        } else {
            stacked.remove(conn);
        }
    }

    /**
     * While idle daemons outnumber the pending recalls and nothing is queued, recalls the newest waiting task of the
     * daemon holding the most waiting tasks. A waiting task is any but the first unanswered one (which may be running),
     * unresolved, not pinned to that daemon, and not already recalled.
     */
    private void recallForIdle() {
        while (!stacked.isEmpty() && idle.size() > recallsPending && !hasShared()) {
            DaemonConnection from = null;
            TaskRecord newest = null;
            int most = 0;
            for (DaemonConnection c : stacked) {
                int waiting = 0;
                TaskRecord last = null;
                boolean first = true;
                for (TaskRecord t : c.inflight.values()) {
                    if (!first && !t.isDone() && !t.pinned && !t.recalling) {
                        waiting++;
                        last = t;
                    }
                    first = false;
                }
                if (waiting > most) {
                    most = waiting;
                    from = c;
                    newest = last;
                }
            }
            if (newest == null) {
                return;
            }
            recallsPending++;
            assigner.recall(from, newest);
        }
    }

    /** @return whether a live shared task waits here (resolved ones at the heads are dropped) */
    private boolean hasShared() {
        return peekShared() != null;
    }

    private static boolean open(DaemonConnection conn) {
        return conn.takesTasks(); // connected, and not recycling, finishing or retiring
    }

    /** @return the next live shared task (returned ones first), left where it is; or null */
    private TaskRecord peekShared() {
        TaskRecord t;
        while ((t = returned.peek()) != null && t.isDone()) {
            returned.poll();
        }
        return t != null ? t : SchedulingPolicy.peekLive(queue);
    }

    /** Takes {@code t}, which {@link #peekShared} just returned, off its queue. */
    private void takeShared(TaskRecord t) {
        if (returned.peek() == t) {
            returned.poll();
        } else {
            queue.poll();
        }
    }

    /**
     * @return whether {@code conn} may take {@code next} now: always when it holds nothing, else while the payload
     *     bytes it holds stay within {@link #PREFETCH_BYTES}
     */
    private static boolean fits(DaemonConnection conn, TaskRecord next) {
        return conn.inflight.isEmpty() || conn.inflightBytes + next.payload().readableBytes() <= PREFETCH_BYTES;
    }

    @Override
    public void drain(Consumer<TaskRecord> each) {
        TaskRecord t;
        while ((t = returned.poll()) != null) {
            each.accept(t);
        }
        while ((t = queue.poll()) != null) {
            each.accept(t);
        }
    }
}
