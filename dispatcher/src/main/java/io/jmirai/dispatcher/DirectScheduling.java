package io.jmirai.dispatcher;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Direct mode: no central queue to speak of. Each task is written at once to the next connected daemon, round-robin,
 * and waits in that daemon's own queue; tasks wait here only while no daemon is connected. Pinned setups are written
 * at once too.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class DirectScheduling implements SchedulingPolicy {
    private final Assigner assigner;
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>();
    private final List<DaemonConnection> online = new ArrayList<>(); // the round-robin order
    private int next;

    DirectScheduling(Assigner assigner) {
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
        assigner.assign(conn, task);
    }

    @Override
    public void connected(DaemonConnection conn) {
        online.add(conn);
        dispatch();
    }

    @Override
    public void completed(DaemonConnection conn) {
        // the daemon queues its own tasks: nothing to hand it
    }

    @Override
    public void lost(DaemonConnection conn) {
        int i = online.indexOf(conn);
        if (i >= 0) {
            online.remove(i);
            if (i < next) {
                next--;
            }
        }
    }

    @Override
    public void dispatch() {
        while (!online.isEmpty() && SchedulingPolicy.peekLive(queue) != null) {
            if (next >= online.size()) {
                next = 0;
            }
            assigner.assign(online.get(next++), queue.poll());
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
