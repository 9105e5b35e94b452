package io.jmirai.dispatcher;

/**
 * The task counters of {@link io.jmirai.Status}: every user task is in exactly one of awaiting (queued or pinned),
 * executing (at a daemon) or completed (resolved in any way), so {@code awaiting + executing + completed ==
 * submitted} holds after every call. Internal replays of {@code everywhere} setups are not counted. A task sent to a
 * daemon counts as executing from then on, also while it waits there behind the daemon's running task (prefetch, {@link
 * PrefetchScheduling}); if it comes back unstarted from a lost daemon it is awaiting again.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class Counters {
    private long submitted;
    private long awaiting;
    private long executing;
    private long completed;

    /** A task entered the dispatcher (submitted or pinned). */
    void queued(TaskRecord task) {
        if (!task.internal) {
            submitted++;
            awaiting++;
        }
    }

    /** A queued task was written to a daemon. */
    void assigned(TaskRecord task) {
        if (!task.internal) {
            awaiting--;
            executing++;
        }
    }

    /** A running task lost its daemon and is queued again. */
    void requeued(TaskRecord task) {
        if (!task.internal) {
            executing--;
            awaiting++;
        }
    }

    /** A task resolved; {@code running} says whether it was at a daemon or still queued. */
    void resolved(TaskRecord task, boolean running) {
        if (task.internal) {
            return;
        }
        if (running) {
            executing--;
        } else {
            awaiting--;
        }
        completed++;
    }

    long submitted() {
        return submitted;
    }

    long awaiting() {
        return awaiting;
    }

    long executing() {
        return executing;
    }

    long completed() {
        return completed;
    }
}
