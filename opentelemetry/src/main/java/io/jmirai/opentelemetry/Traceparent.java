package io.jmirai.opentelemetry;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The context jmirai carries with a task: the W3C {@code traceparent} header's value (55 ASCII characters), written
 * and read with OpenTelemetry's own {@link W3CTraceContextPropagator}. Stateless and thread-safe.
 */
final class Traceparent {
    private static final String HEADER = "traceparent";

    private static final TextMapSetter<String[]> SETTER = (carrier, key, value) -> {
        if (carrier != null && HEADER.equals(key)) {
            carrier[0] = value;
        }
    };

    /** Reads the carried value as the {@code traceparent} header (the W3C propagator asks for nothing else). */
    private static final TextMapGetter<String> GETTER = (carrier, key) -> HEADER.equals(key) ? carrier : null;

    private Traceparent() {}

    /** @return the {@code traceparent} of {@code context}'s span, or null if it has no valid span */
    static String of(Context context) {
        String[] out = new String[1];
        W3CTraceContextPropagator.getInstance().inject(context, out, SETTER);
        return out[0];
    }

    /** @return a context whose remote parent is the span {@code traceparent} names (the root if it is malformed) */
    static Context parent(String traceparent) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, GETTER);
    }
}
