package io.jmirai.daemon;

/**
 * What a daemon tells an observer (tracing, metrics): it connected to the host (authenticated) or lost the
 * connection; a task started on the worker or finished. Tasks are named by the host's task id.
 *
 * <p>Threading: every method is called on the daemon's event loop, in the order things happen there; an
 * implementation must return quickly and must not throw or block. Nothing is called when no one listens: the daemon
 * checks for {@link #NOOP} by reference.
 */
public interface DaemonEvents {
    /** Listens to nothing; the default. */
    DaemonEvents NOOP = new DaemonEvents() {};

    /** The daemon authenticated to the host at {@code url}. */
    default void connected(String url) {}

    /**
     * The worker thread took task {@code taskId} (reported on the loop with the next batch of the worker's news, so
     * always before the task's {@link #taskFinished}).
     */
    default void taskStarted(long taskId) {}

    /**
     * Task {@code taskId} finished on the worker; its RESULT carries {@code flags} ({@code FrameType.Flags}) and is
     * sent now if the connection it came on is still up.
     */
    default void taskFinished(long taskId, int flags) {}

    /** The authenticated connection to the host at {@code url} ended. */
    default void lost(String url) {}
}
