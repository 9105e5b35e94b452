package io.jmirai;

/**
 * The task's daemon was lost (it died, or its connection dropped) while running the task, once more than the task's
 * {@link MiraiOptions#retries(int) retries} allowed: with {@code retries(n)} the daemon was lost {@code n + 1} times.
 * {@link #code()} is {@value ErrorValue#RETRIES_EXHAUSTED}; a task without retries resolves to
 * {@value ErrorValue#CONNECTION_RESET} at its first loss. Immutable and thread-safe.
 */
public final class RetriesExhausted extends ErrorValue {
    private final int losses;

    RetriesExhausted(int losses, String message) {
        super(RETRIES_EXHAUSTED, message);
        this.losses = losses;
    }

    /** @return how many times a daemon was lost while running the task (its retries + 1) */
    public int losses() {
        return losses;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((RetriesExhausted) o).losses == losses;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + losses;
    }
}
