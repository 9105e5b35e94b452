package io.jmirai;

import io.jmirai.transport.serial.RemoteError;
import java.util.List;

/**
 * A task threw: the remote exception's class name, message, stack trace and cause chain, as text (the host need not
 * have the exception's class). {@link #code()} is {@value ErrorValue#TASK_ERROR}. Immutable and thread-safe.
 */
public final class MiraiError extends ErrorValue {
    private final String className;
    private final String exceptionMessage;
    private final List<StackTraceElement> stackTrace;
    private final MiraiError cause;

    MiraiError(RemoteError e) {
        super(TASK_ERROR, e.message() == null ? e.className() : e.className() + ": " + e.message());
        this.className = e.className();
        this.exceptionMessage = e.message();
        this.stackTrace = e.stackTrace();
        this.cause = e.cause() == null ? null : new MiraiError(e.cause());
    }

    /** @return the remote exception's class name, such as {@code java.lang.ArithmeticException} */
    public String className() {
        return className;
    }

    /** @return the remote exception's own message, or {@code null} */
    public String exceptionMessage() {
        return exceptionMessage;
    }

    /** @return the remote stack trace, innermost frame first */
    public List<StackTraceElement> stackTrace() {
        return stackTrace;
    }

    /** @return the remote cause, or {@code null} */
    public MiraiError cause() {
        return cause;
    }

    /** @return the remote stack trace as text, like {@link Throwable#printStackTrace()}, causes included */
    public String stackTraceText() {
        StringBuilder b = new StringBuilder();
        for (MiraiError e = this; e != null; e = e.cause) {
            b.append(e == this ? "" : "Caused by: ").append(e.message()).append('\n');
            for (StackTraceElement f : e.stackTrace) {
                b.append("\tat ").append(f).append('\n');
            }
        }
        return b.toString();
    }

    /** @return an exception that carries the remote class, message and stack trace (and causes), for rethrowing */
    public RemoteException toException() {
        RemoteException ex = new RemoteException(this, cause == null ? null : cause.toException());
        ex.setStackTrace(stackTrace.toArray(StackTraceElement[]::new));
        return ex;
    }

    /** An exception that stands for a remote one: its message names the remote class, its stack trace is remote. */
    public static final class RemoteException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient MiraiError error;

        RemoteException(MiraiError error, RemoteException cause) {
            super(error.message(), cause);
            this.error = error;
        }

        /** @return the error this exception stands for */
        public MiraiError error() {
            return error;
        }
    }
}
