package io.jmirai.opentelemetry;

import io.jmirai.TaskObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's spans ({@link JMiraiTracing}): opened on the submitting thread, ended on the dispatcher's. Thread-safe:
 * a task's spans are published through a concurrent map by {@link #taskSubmitted}, which happens-before the other
 * calls for that task; after that only the dispatcher's thread touches them.
 */
final class HostTracing implements TaskObserver {
    private final Tracer tracer;
    private final ConcurrentHashMap<Long, TaskSpans> open = new ConcurrentHashMap<>();

    /** A task's open spans; {@code queue} is null once it ended. Confined to the dispatcher's thread once published. */
    private static final class TaskSpans {
        final Span submit;
        Span queue;

        TaskSpans(Span submit, Span queue) {
            this.submit = submit;
            this.queue = queue;
        }
    }

    HostTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public String taskSubmitted(long taskId) {
        Context parent = Context.current();
        Span submit = tracer.spanBuilder(JMiraiTracing.SUBMIT_SPAN)
                .setParent(parent)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(JMiraiTracing.TASK_ID, taskId)
                .startSpan();
        if (!submit.getSpanContext().isValid()) {
            return null; // a no-op OpenTelemetry: nothing to end, nothing to carry
        }
        Context withSubmit = parent.with(submit);
        Span queue = tracer.spanBuilder(JMiraiTracing.QUEUE_SPAN)
                .setParent(withSubmit)
                .setAttribute(JMiraiTracing.TASK_ID, taskId)
                .startSpan();
        open.put(taskId, new TaskSpans(submit, queue));
        return Traceparent.of(withSubmit);
    }

    @Override
    public void taskDispatched(long taskId, String daemonId) {
        TaskSpans s = open.get(taskId);
        if (s == null) {
            return; // an everywhere setup or a reset: not traced
        }
        s.submit.setAttribute(JMiraiTracing.DAEMON_ID, daemonId);
        if (s.queue != null) {
            s.queue.setAttribute(JMiraiTracing.DAEMON_ID, daemonId);
            s.queue.end();
            s.queue = null;
        } else {
            s.submit.addEvent("jmirai.redispatched"); // a retry after its daemon was lost
        }
    }

    @Override
    public void taskResolved(long taskId, int outcomeCode) {
        TaskSpans s = open.remove(taskId);
        if (s == null) {
            return;
        }
        if (s.queue != null) { // resolved while still queued
            Outcomes.end(s.queue, outcomeCode);
        }
        Outcomes.end(s.submit, outcomeCode);
    }
}
