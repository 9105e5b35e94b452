package io.jmirai.opentelemetry;

import io.jmirai.daemon.TaskTracer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The daemon's side of {@link JMiraiTracing}: a {@link TaskTracer} that a daemon finds with
 * {@link java.util.ServiceLoader} when this module is on its {@code --classpath}. For each task the host sent with a
 * trace context it makes a {@value JMiraiTracing#EVALUATE_SPAN} span, child of the host's submit span, current on the
 * worker thread while the task runs (so spans the task makes are its children), with the task id, the daemon id and
 * the outcome code.
 *
 * <p>Where spans go: the daemon's {@link GlobalOpenTelemetry}, looked up when the first traced task starts (not when
 * the daemon starts), so it is whatever the daemon JVM configured by then: the SDK's autoconfigure module with {@code
 * -Dotel.java.global-autoconfigure.enabled=true} on the daemon's JVM, or an {@code everywhere} setup that calls
 * {@code GlobalOpenTelemetry.set(…)}. With neither, spans are no-ops.
 *
 * <p>It refers to no host class ({@code io.jmirai.TaskObserver} and the rest of the dispatcher are not on a daemon's
 * classpath), only to the daemon's and OpenTelemetry's.
 *
 * <p>Threading: called only on the daemon's single worker thread (see {@link TaskTracer}).
 */
public final class DaemonTracing implements TaskTracer {
    private Tracer tracer; // the worker thread's alone: looked up at the first traced task

    /** For {@link java.util.ServiceLoader}. */
    public DaemonTracing() {}

    @Override
    public Evaluation started(long taskId, String daemonId, String traceContext) {
        if (tracer == null) {
            tracer = GlobalOpenTelemetry.get().getTracer(JMiraiTracing.INSTRUMENTATION_NAME);
        }
        Span span = tracer.spanBuilder(JMiraiTracing.EVALUATE_SPAN)
                .setParent(Traceparent.parent(traceContext))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(Keys.TASK_ID, taskId)
                .setAttribute(Keys.DAEMON_ID, daemonId)
                .startSpan();
        Scope scope = span.makeCurrent();
        return outcomeCode -> {
            scope.close();
            Outcomes.end(span, outcomeCode);
        };
    }
}
