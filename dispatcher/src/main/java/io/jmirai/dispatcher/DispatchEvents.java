package io.jmirai.dispatcher;

/**
 * What the dispatcher tells an observer (tracing, metrics, a job store): a task was submitted, dispatched to a daemon
 * and resolved; a daemon connected or was lost. Only user tasks are reported, not the internal replays of
 * {@code everywhere} setups to daemons that connect later. A task retried after a lost daemon is dispatched again.
 *
 * <p>Threading: every method is called on the dispatcher's event loop, in the order things happen there; an
 * implementation must return quickly and must not throw or block. Nothing is allocated and nothing is called when no
 * one listens: the dispatcher checks for {@link #NOOP} by reference before building any argument.
 */
public interface DispatchEvents {
    /** Listens to nothing; the default. */
    DispatchEvents NOOP = new DispatchEvents() {};

    /** Task {@code taskId} entered the dispatcher's queue (or, for an {@code everywhere} setup, a daemon's). */
    default void taskSubmitted(long taskId) {}

    /** Task {@code taskId} was written to the daemon at status row {@code daemonId}. */
    default void taskDispatched(long taskId, String daemonId) {}

    /** Task {@code taskId} resolved: a RESULT, a failure, a timeout, a stop or a close. Called exactly once. */
    default void taskResolved(long taskId, Outcome outcome) {}

    /** A daemon authenticated at status row {@code daemonId}. */
    default void daemonConnected(String daemonId, long pid) {}

    /** The daemon at status row {@code daemonId} disconnected; its tasks are retried or resolved next. */
    default void daemonLost(String daemonId, long pid) {}
}
