package io.jmirai;

import java.util.Objects;

/**
 * Thrown by {@link Mirai#get()} when the task resolved to an {@link ErrorValue}. For a {@link MiraiError} the cause is
 * a {@link MiraiError.RemoteException} carrying the remote stack trace.
 */
public class MiraiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorValue errorValue;

    /** @param errorValue the task's error value */
    public MiraiException(ErrorValue errorValue) {
        super(
                "task resolved to an error: code=" + errorValue.code() + ", " + errorValue.message(),
                errorValue instanceof MiraiError e ? e.toException() : null);
        this.errorValue = Objects.requireNonNull(errorValue, "errorValue");
    }

    /**
     * @param message the message
     * @param errorValue the error value
     */
    protected MiraiException(String message, ErrorValue errorValue) {
        super(message, errorValue instanceof MiraiError e ? e.toException() : null);
        this.errorValue = Objects.requireNonNull(errorValue, "errorValue");
    }

    /** @return the error value */
    public ErrorValue errorValue() {
        return errorValue;
    }

    /** @return the error value's code */
    public int code() {
        return errorValue.code();
    }
}
