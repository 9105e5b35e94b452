package io.jmirai.server.store;

/**
 * Whether a stored result is the task's value or its error (both are opaque bytes to the store). Stored as
 * {@link #code()}: codes are part of the store's format, never renumber.
 */
public enum ResultStatus {
    /** The task returned a value. Counts as done. */
    VALUE(0),
    /** The task failed (threw, timed out, was cancelled): the bytes are its error value. Counts as failed. */
    ERROR(1);

    private final int code;

    ResultStatus(int code) {
        this.code = code;
    }

    /** The stored code. */
    public int code() {
        return code;
    }

    static ResultStatus fromCode(int code) {
        for (ResultStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown result status code: " + code);
    }
}
