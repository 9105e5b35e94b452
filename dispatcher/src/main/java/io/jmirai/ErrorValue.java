package io.jmirai;

import java.util.Objects;

/**
 * A task's outcome when it produced no value: a numeric {@link #code()} and a text. Codes below 100 follow NNG (as R's
 * mirai does); codes from 100 are jmirai's own.
 *
 * <table>
 *   <caption>Codes</caption>
 *   <tr><th>code</th><th>meaning</th></tr>
 *   <tr><td>{@value #TIMED_OUT}</td><td>timed out</td></tr>
 *   <tr><td>{@value #CONNECTION_RESET}</td><td>connection reset: the daemon was lost, or the daemons were closed</td></tr>
 *   <tr><td>{@value #CANCELED}</td><td>canceled</td></tr>
 *   <tr><td>{@value #TASK_ERROR}</td><td>the task threw: a {@link MiraiError}</td></tr>
 *   <tr><td>{@value #INTERRUPTED}</td><td>an interrupt signal (SIGINT) to the daemon process stopped the task: a
 *   {@link MiraiInterrupt}</td></tr>
 *   <tr><td>{@value #RETRIES_EXHAUSTED}</td><td>the task's daemon was lost more times than its retries allowed: a
 *   {@link RetriesExhausted}</td></tr>
 * </table>
 *
 * Immutable and thread-safe.
 */
public class ErrorValue {
    /** The task timed out. */
    public static final int TIMED_OUT = 5;
    /** The connection to the task's daemon was reset: the daemon died, or the daemons were closed. */
    public static final int CONNECTION_RESET = 19;
    /** The task was canceled. */
    public static final int CANCELED = 20;
    /** The task threw an exception ({@link MiraiError}). */
    public static final int TASK_ERROR = 100;
    /** An interrupt signal to the daemon process stopped the task ({@link MiraiInterrupt}). */
    public static final int INTERRUPTED = 101;
    /** The task's daemon was lost once more than its retries allowed ({@link RetriesExhausted}). */
    public static final int RETRIES_EXHAUSTED = 102;

    private final int code;
    private final String message;

    /**
     * @param code the code
     * @param message the text
     */
    public ErrorValue(int code, String message) {
        this.code = code;
        this.message = Objects.requireNonNull(message, "message");
    }

    /** @return the numeric code */
    public int code() {
        return code;
    }

    /** @return the text */
    public String message() {
        return message;
    }

    /** @return an ErrorValue for code 19 */
    static ErrorValue connectionReset(String why) {
        return new ErrorValue(CONNECTION_RESET, "connection reset: " + why);
    }

    @Override
    public String toString() {
        return "ErrorValue{code=" + code + ", message=" + message + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o != null
                && o.getClass() == getClass()
                && ((ErrorValue) o).code == code
                && ((ErrorValue) o).message.equals(message);
    }

    @Override
    public int hashCode() {
        return 31 * code + message.hashCode();
    }
}
