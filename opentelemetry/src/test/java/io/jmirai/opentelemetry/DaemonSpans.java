package io.jmirai.opentelemetry;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.stream.Collectors;

/**
 * The daemon side of the tests, run in the daemon JVM by tasks: {@link #install()} (an {@code everywhere} setup) makes
 * the daemon's {@code GlobalOpenTelemetry} an SDK that keeps finished spans in memory, and {@link #finished()} (a task
 * run after the traced ones, on the same single worker) returns them, one {@link SpanLine} per line. It uses
 * {@link Keys}, not {@link JMiraiTracing}'s constants: a standalone daemon has no host classes.
 */
final class DaemonSpans {
    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
    private static boolean installed; // guarded by the class lock

    private DaemonSpans() {}

    /** @return true once the daemon's spans are kept in memory (a second call in the same JVM changes nothing) */
    static synchronized boolean install() {
        if (!installed) {
            GlobalOpenTelemetry.set(OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .addSpanProcessor(SimpleSpanProcessor.create(EXPORTER))
                            .build())
                    .build());
            installed = true;
        }
        return true;
    }

    /** @return the daemon's finished spans, one {@link SpanLine#of} per line */
    static String finished() {
        return EXPORTER.getFinishedSpanItems().stream().map(SpanLine::of).collect(Collectors.joining("\n"));
    }

    /** One span as a line of text, so that it crosses back to the host as a String. */
    record SpanLine(
            String name,
            String kind,
            String traceId,
            String spanId,
            String parentSpanId,
            long taskId,
            String daemonId,
            long outcomeCode,
            String status) {
        static String of(SpanData s) {
            Long task = s.getAttributes().get(Keys.TASK_ID);
            Long code = s.getAttributes().get(Keys.OUTCOME_CODE);
            String daemon = s.getAttributes().get(Keys.DAEMON_ID);
            return String.join(
                    "|",
                    s.getName(),
                    s.getKind().name(),
                    s.getTraceId(),
                    s.getSpanId(),
                    s.getParentSpanId(),
                    String.valueOf(task == null ? -1 : task),
                    daemon == null ? "" : daemon,
                    String.valueOf(code == null ? -1 : code),
                    s.getStatus().getStatusCode().name());
        }

        static SpanLine parse(String line) {
            String[] f = line.split("\\|", -1);
            return new SpanLine(f[0], f[1], f[2], f[3], f[4], Long.parseLong(f[5]), f[6], Long.parseLong(f[7]), f[8]);
        }
    }
}
