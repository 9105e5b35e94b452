package io.jmirai.dispatcher;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The default policy: one central FIFO queue, and one task in flight per daemon. Only the head of the queue is
 * dispatched, to an idle daemon; a daemon that answers takes its pinned setups first, then the queue's head. The most
 * recently freed daemon is reused first.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class FifoScheduling implements SchedulingPolicy {
    private final Assigner assigner;
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>(); // resolved tasks stay until they reach the head
    private final ArrayDeque<DaemonConnection> idle = new ArrayDeque<>();

    FifoScheduling(Assigner assigner) {
        this.assigner = assigner;
    }

    @Override
    public void submitted(TaskRecord task) {
        queue.add(task);
        dispatch();
    }

    @Override
    public void requeued(TaskRecord task) {
        queue.addFirst(task);
    }

    @Override
    public void pinned(DaemonConnection conn, TaskRecord task) {
        conn.pinned.add(task);
        if (idle.contains(conn)) {
            becameFree(conn);
        }
    }

    @Override
    public void connected(DaemonConnection conn) {
        becameFree(conn);
    }

    @Override
    public void completed(DaemonConnection conn) {
        becameFree(conn);
    }

    @Override
    public void lost(DaemonConnection conn) {
        idle.remove(conn);
    }

    @Override
    public void dispatch() {
        while (!idle.isEmpty() && SchedulingPolicy.peekLive(queue) != null) {
            DaemonConnection conn = idle.poll();
            if (!conn.channel().isActive() || !conn.inflight.isEmpty() || conn.recycling) {
                continue;
            }
            assigner.assign(conn, queue.poll());
        }
    }

    /** A daemon with nothing in flight takes its pinned setups first, then the queue's head, or waits idle. */
    private void becameFree(DaemonConnection conn) {
        if (!conn.channel().isActive() || conn.recycling || !conn.inflight.isEmpty()) {
            return;
        }
        TaskRecord next = SchedulingPolicy.peekLive(conn.pinned);
        if (next != null) {
            conn.pinned.poll();
        } else if ((next = SchedulingPolicy.peekLive(queue)) != null) {
            queue.poll();
        }
        if (next != null) {
            idle.remove(conn);
            assigner.assign(conn, next);
        } else if (!idle.contains(conn)) {
            idle.addFirst(conn);
        }
    }

    @Override
    public void drain(Consumer<TaskRecord> each) {
        TaskRecord t;
        while ((t = queue.poll()) != null) {
            each.accept(t);
        }
    }
}
