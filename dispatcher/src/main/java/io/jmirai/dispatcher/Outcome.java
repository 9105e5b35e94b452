package io.jmirai.dispatcher;

/** How a task ended, as the dispatcher saw it; decoding into a value or an error is left to the asking thread. */
public sealed interface Outcome {
    /**
     * A RESULT frame from the daemon.
     *
     * @param flags the frame's flags ({@code FrameType.Flags})
     * @param bytes the payload, copied off the receive buffer
     */
    record Result(int flags, byte[] bytes) implements Outcome {}

    /**
     * The task ended without a RESULT.
     *
     * @param code an {@code ErrorValue} code
     * @param message the text
     */
    record Failure(int code, String message) implements Outcome {}

    /**
     * The task's daemon was lost mid-task (code 19, no retries left); whoever knows the daemon's process can add how it
     * ended (exit code or signal) before resolving the task.
     *
     * @param pid the lost daemon's process id, as it reported it
     * @param message the text
     */
    record Lost(long pid, String message) implements Outcome {}

    /**
     * The task's daemon was lost once more than its retries allowed.
     *
     * @param losses how many times a daemon was lost while running the task (retries + 1)
     * @param message the text
     */
    record RetriesExhausted(int losses, String message) implements Outcome {}
}
