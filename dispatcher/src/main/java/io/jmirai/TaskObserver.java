package io.jmirai;

/**
 * Watches the tasks of one {@link Daemons} from the host's side, for tracing or metrics: a task was submitted, sent
 * to a daemon, and resolved. The OpenTelemetry module ({@code jmirai-opentelemetry}) implements it with spans; set it
 * with {@link Daemons.Builder#observer(TaskObserver)}. {@link #taskSubmitted} is called for the tasks of {@code mirai}
 * and {@code map}; the other two calls also come for {@code everywhere} setups and resets, whose ids the observer has
 * not seen: it ignores ids it does not know.
 *
 * <p>Trace context: what {@link #taskSubmitted} returns is carried with the task to the daemon (on the wire, only to a
 * daemon that advertised the {@code TRACE_CONTEXT} capability) and handed there to the daemon's {@code
 * io.jmirai.daemon.TaskTracer}, which finds it with {@link java.util.ServiceLoader}. Returning null carries nothing:
 * the task's frame is then exactly what it is without an observer.
 *
 * <p>Threading: {@link #taskSubmitted} is called on the submitting thread, before the task reaches the dispatcher (so
 * it happens-before the other two calls for that task); {@link #taskDispatched} and {@link #taskResolved} on the
 * dispatcher's thread, in the order things happen there. An implementation must be thread-safe, return quickly, and
 * must not throw or block. Without an observer nothing is called and nothing is allocated.
 */
public interface TaskObserver {
    /**
     * Task {@code taskId} was submitted and admitted (it has room in the queue); called once, on the submitting thread.
     *
     * @return the trace context to carry to the daemon (1 to 255 printable ASCII characters, such as a W3C {@code
     *     traceparent}), or null for none
     */
    default String taskSubmitted(long taskId) {
        return null;
    }

    /**
     * Task {@code taskId} was written to the daemon with status id {@code daemonId} (again, if a lost daemon's task is
     * retried).
     */
    default void taskDispatched(long taskId, String daemonId) {}

    /**
     * Task {@code taskId} resolved; called exactly once.
     *
     * @param outcomeCode 0 for a value, else the {@link ErrorValue} code it resolved to: {@value ErrorValue#TASK_ERROR}
     *     the task threw, {@value ErrorValue#TIMED_OUT} timed out, {@value ErrorValue#CANCELED} canceled,
     *     {@value ErrorValue#CONNECTION_RESET} daemon lost or daemons closed, {@value ErrorValue#INTERRUPTED}
     *     interrupted by a signal, {@value ErrorValue#RETRIES_EXHAUSTED} retries exhausted
     */
    default void taskResolved(long taskId, int outcomeCode) {}
}
