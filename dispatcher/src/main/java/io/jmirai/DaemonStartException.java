package io.jmirai;

/** A daemon failed to start or to connect in time; the message includes its stderr. */
public class DaemonStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the daemon's stderr
     * @param cause the underlying failure, or null
     */
    public DaemonStartException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed, with the daemon's stderr */
    public DaemonStartException(String message) {
        super(message);
    }
}
