package io.jmirai;

/**
 * Where a job's tasks are ({@link Job#status()}), counted by the server: every task is in exactly one of queued,
 * running, done (a value) or failed (an error), so {@code queued + running + done + failed == total}. Immutable.
 *
 * @param total the job's tasks
 * @param queued waiting at the server for a daemon
 * @param running sent to a daemon, no result stored yet
 * @param done results stored that are values
 * @param failed results stored that are errors
 */
public record JobStatus(int total, int queued, int running, int done, int failed) {
    /** @return whether every task has a stored result */
    public boolean isComplete() {
        return done + failed == total;
    }
}
