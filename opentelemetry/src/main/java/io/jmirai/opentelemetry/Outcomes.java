package io.jmirai.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * Ends a span with a task's outcome code. Used by both sides, so it refers to nothing of the host's: a daemon has no
 * host classes on its classpath. Stateless.
 */
final class Outcomes {
    private Outcomes() {}

    /** Sets {@link JMiraiTracing#OUTCOME_CODE} (and ERROR status unless 0) and ends {@code span}. */
    static void end(Span span, int outcomeCode) {
        span.setAttribute(Keys.OUTCOME_CODE, (long) outcomeCode);
        if (outcomeCode != 0) {
            span.setStatus(StatusCode.ERROR, "jmirai outcome code " + outcomeCode);
        }
        span.end();
    }
}
