package io.jmirai.opentelemetry;

import io.jmirai.TaskObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import java.util.Objects;

/**
 * OpenTelemetry spans for jmirai tasks. On the host, {@link #observer(OpenTelemetry)} makes, for each task of
 * {@code mirai} or {@code map}:
 *
 * <ul>
 *   <li>{@value #SUBMIT_SPAN} (kind PRODUCER): from submission until the task resolves; its parent is the submitting
 *       thread's current context, so a task submitted inside a span of the application joins that trace;
 *   <li>{@value #QUEUE_SPAN} (child of the submit span): from submission until the task is written to a daemon (or
 *       resolves without one: timed out or cancelled while queued);
 * </ul>
 *
 * and carries the submit span's W3C {@code traceparent} (always W3C, whatever propagators the application set: it is
 * what a daemon reads) with the task to daemons that support it. On a daemon whose
 * {@code --classpath} holds this module and the OpenTelemetry API with an SDK, {@link DaemonTracing} makes
 * {@value #EVALUATE_SPAN} (kind CONSUMER, child of the submit span), current on the worker thread while the task runs,
 * with the daemon's own {@code GlobalOpenTelemetry}. Every span has {@link #TASK_ID}; {@link #DAEMON_ID} once the
 * task went to a daemon; {@link #OUTCOME_CODE} when it ended (0 for a value, else the {@code ErrorValue} code; the
 * span's status is then ERROR).
 *
 * <p>This class is the host's: it names host classes, so code that runs on a daemon (which has none of them) must not
 * touch it, its constants included. This class is thread-safe; the observer too.
 */
public final class JMiraiTracing {
    /** The instrumentation scope name of jmirai's tracers. */
    public static final String INSTRUMENTATION_NAME = "io.jmirai";
    /** Name of the host's span for a task, from submission to resolution. */
    public static final String SUBMIT_SPAN = "jmirai.submit";
    /** Name of the host's span for a task's wait in the queue. */
    public static final String QUEUE_SPAN = "jmirai.queue";
    /** Name of the daemon's span for a task's evaluation. */
    public static final String EVALUATE_SPAN = "jmirai.evaluate";
    /** The host's task id. */
    public static final AttributeKey<Long> TASK_ID = Keys.TASK_ID;
    /** The host's id of the daemon the task went to (its status row). */
    public static final AttributeKey<String> DAEMON_ID = Keys.DAEMON_ID;
    /** How the task ended: 0 for a value, else its {@code ErrorValue} code. */
    public static final AttributeKey<Long> OUTCOME_CODE = Keys.OUTCOME_CODE;

    private JMiraiTracing() {}

    /**
     * @param openTelemetry where the host's spans go
     * @return an observer for {@code Daemons.builder().observer(…)} that traces every task
     */
    public static TaskObserver observer(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return new HostTracing(openTelemetry.getTracer(INSTRUMENTATION_NAME));
    }
}
