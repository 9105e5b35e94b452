package io.jmirai.daemon;

/**
 * Traces a daemon's tasks: told when a task that came with a trace context starts and ends on the worker, so that its
 * span joins the host's trace. A daemon finds one with {@link java.util.ServiceLoader} on its class loader (the one
 * {@code --classpath} builds) when it starts; the OpenTelemetry module ({@code jmirai-opentelemetry}) provides one.
 * With none (the default), or for a task the host sent without a trace context, nothing is called.
 *
 * <p>Threading: both calls are made on the daemon's worker thread, the one that runs the task, {@link Evaluation#finished}
 * after {@link #started} for the same task and before the next task starts, so an implementation may make its span the
 * thread's current one for the task's duration. An implementation must not throw (what it throws is logged and
 * ignored) and must return quickly.
 */
public interface TaskTracer {
    /**
     * Task {@code taskId} starts on the worker (before its bytes are decoded).
     *
     * @param taskId the host's task id
     * @param daemonId the host's id of this daemon (its status row)
     * @param traceContext the context the host carried with the task (for OpenTelemetry, a W3C {@code traceparent})
     * @return what to tell when the task ends (never null)
     */
    Evaluation started(long taskId, String daemonId, String traceContext);

    /** One task's evaluation as the tracer sees it, ended once. */
    interface Evaluation {
        /**
         * The task ended; called exactly once, after its answer was built and before it is sent.
         *
         * @param outcomeCode 0 if the task returned a value; else the host's {@code ErrorValue} code for how it ended:
         *     100 it threw, 20 it was cancelled, 101 a signal interrupted it
         */
        void finished(int outcomeCode);
    }
}
