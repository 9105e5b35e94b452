package io.jmirai.dispatcher;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Which daemon runs which queued task, and when. The policy owns the queue and the set of daemons that may take work;
 * the lifecycle ({@link TaskLifecycle}) owns what a task is and tells the policy about every change through these
 * hooks. To send a task the policy calls back {@link Assigner#assign}, which moves the task to the daemon and writes
 * it; a policy never writes to a channel itself. Resolved tasks may stay in the queue (a stop or a timeout does not
 * search it): a policy skips them with {@link #peekLive}.
 *
 * <p>Implementations: {@link PrefetchScheduling} (one central queue, a window of tasks in flight per daemon, of which
 * the daemon runs one at a time) and {@link DirectScheduling} (no central queue: each task goes at once to the next
 * daemon, round-robin, and waits there).
 *
 * <p>Threading: every method is called on the dispatcher's event loop, and so is the assigner.
 */
interface SchedulingPolicy {
    /** Sends a task to a daemon: marks it running, counts it and writes its TASK frame. */
    interface Assigner {
        void assign(DaemonConnection conn, TaskRecord task);

        /**
         * Asks {@code conn} to give back {@code task}, sent to it and (as far as the host knows) not started there:
         * marks it recalling and writes a RECALL frame. Only for a connection that negotiated recall ({@link
         * DaemonConnection#recalls}).
         */
        default void recall(DaemonConnection conn, TaskRecord task) {
            throw new UnsupportedOperationException("recall");
        }
    }

    /** @return the policy for {@code direct} mode, or the FIFO policy with a window of {@code prefetch} per daemon */
    static SchedulingPolicy of(boolean direct, int prefetch, Assigner assigner) {
        return direct ? new DirectScheduling(assigner) : new PrefetchScheduling(prefetch, assigner);
    }

    /** A submitted task: queue it at the back and assign what can be assigned. */
    void submitted(TaskRecord task);

    /**
     * A task whose daemon was lost, to be retried, or that was sent but had not started (see {@link
     * #returnsUnstarted}): queue it ahead of the tasks never sent, in submission order (no assignment yet, see {@link
     * #dispatch}).
     */
    void requeued(TaskRecord task);

    /**
     * @return whether tasks sent to a lost daemon behind its oldest unanswered one (so never started there) come back
     *     to the queue without counting as a retry; false: every task a lost daemon held counts as lost
     */
    default boolean returnsUnstarted() {
        return false;
    }

    /** A task for {@code conn} only (an {@code everywhere} setup), served before the shared queue. */
    void pinned(DaemonConnection conn, TaskRecord task);

    /** {@code conn} authenticated (its pinned replays are already given): it may take tasks. */
    void connected(DaemonConnection conn);

    /** {@code conn} answered one of its tasks (resolved or late): it may have room for another. */
    void completed(DaemonConnection conn);

    /**
     * {@code conn} gave back a task it was sent and never started (a RECALL answered): the task is already {@link
     * #requeued}; assign it, to a daemon that is idle first, and let {@code conn} take what it has room for.
     */
    default void recalled(DaemonConnection conn) {
        completed(conn);
    }

    /** A recall this policy asked for is settled (answered either way, or its daemon is gone). */
    default void recallSettled() {}

    /** {@code conn} is gone or being recycled: it takes no more tasks. */
    void lost(DaemonConnection conn);

    /** Assigns whatever can be assigned now. */
    void dispatch();

    /** Empties the queue (the dispatcher is closing), handing each task over, resolved ones included. */
    void drain(Consumer<TaskRecord> each);

    /** @return the first unresolved task of {@code q}, after dropping the resolved ones before it; or null */
    static TaskRecord peekLive(ArrayDeque<TaskRecord> q) {
        TaskRecord t;
        while ((t = q.peek()) != null && t.isDone()) {
            q.poll();
        }
        return t;
    }
}
