package io.jmirai.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.MiraiException;
import io.jmirai.MiraiOptions;
import io.jmirai.opentelemetry.DaemonSpans.SpanLine;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans across a real daemon JVM: the host's {@code jmirai.submit} and {@code jmirai.queue} spans in the SDK's
 * in-memory exporter, the daemon's {@code jmirai.evaluate} spans from an in-memory exporter in the daemon (found by the
 * daemon with ServiceLoader, since this module and the SDK are on the local daemon's classpath), read back by a task.
 * One trace per task: the evaluate span's parent is the host's submit span; ids and outcome codes on every span.
 */
@Tag("integration")
@Timeout(120)
class TracingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("try") // the scope is only made current, never read
    void shouldTraceSubmitQueueAndEvaluationAcrossTheDaemonWithIdsAndOutcomes() throws Exception {
        InMemorySpanExporter hostSpans = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(hostSpans))
                        .build())
                .build();
        String started = dir.resolve("started").toString();
        long ok;
        long failed;
        long timedOut;
        long stopped;
        String appTraceId;
        String daemonLines;
        try (Daemons daemons = Daemons.builder()
                .local(1)
                .observer(JMiraiTracing.observer(otel))
                .start()) {
            Mirai.collect(daemons.everywhere(DaemonSpans::install), WAIT);

            Span app = otel.getTracer("test").spanBuilder("application").startSpan();
            appTraceId = app.getSpanContext().getTraceId();
            Mirai<Integer> m1;
            try (Scope ignored = app.makeCurrent()) {
                m1 = daemons.mirai(() -> 6 * 7); // joins the application's trace
            } finally {
                app.end();
            }
            assertThat(m1.get(WAIT)).isEqualTo(42);
            ok = m1.id();

            Mirai<Object> m2 = daemons.mirai(() -> {
                throw new IllegalStateException("traced failure");
            });
            failed = m2.id();
            awaitResolved(m2);

            Mirai<Object> m3 = daemons.mirai(
                    () -> {
                        Thread.sleep(30_000);
                        return 1;
                    },
                    MiraiOptions.defaults().timeout(Duration.ofMillis(500)));
            timedOut = m3.id();
            awaitResolved(m3);

            Mirai<Object> m4 = daemons.mirai(() -> {
                Files.writeString(Path.of(started), "x");
                Thread.sleep(30_000);
                return 1;
            });
            stopped = m4.id();
            await().atMost(WAIT).until(() -> Files.exists(Path.of(started)));
            assertThat(m4.stop()).isTrue();

            // the worker runs tasks in order: by the time this runs, every earlier task's span has ended
            daemonLines = daemons.mirai(DaemonSpans::finished).get(WAIT);
        } // close waits for the dispatcher: every host span has ended

        Map<String, SpanLine> host = hostSpans.getFinishedSpanItems().stream()
                .map(s -> SpanLine.parse(SpanLine.of(s)))
                .filter(s -> s.name().startsWith("jmirai."))
                .collect(Collectors.toMap(s -> s.name() + " " + s.taskId(), s -> s));
        Map<Long, SpanLine> evaluated = Arrays.stream(daemonLines.split("\n"))
                .filter(l -> !l.isEmpty())
                .map(SpanLine::parse)
                .collect(Collectors.toMap(SpanLine::taskId, s -> s));

        assertThat(host.get("jmirai.submit " + ok).traceId())
                .as("a task submitted inside a span joins its trace")
                .isEqualTo(appTraceId);
        for (long[] expected : new long[][] {{ok, 0, 0}, {failed, 100, 100}, {timedOut, 5, 20}, {stopped, 20, 20}}) {
            long id = expected[0];
            SpanLine submit = host.get("jmirai.submit " + id);
            SpanLine queue = host.get("jmirai.queue " + id);
            SpanLine evaluate = evaluated.get(id);
            assertThat(submit).as("submit span of task %d", id).isNotNull();
            assertThat(submit.kind()).isEqualTo("PRODUCER");
            assertThat(submit.daemonId()).isEqualTo("1");
            assertThat(submit.outcomeCode()).as("host outcome of task %d", id).isEqualTo(expected[1]);
            assertThat(submit.status()).isEqualTo(expected[1] == 0 ? "UNSET" : "ERROR");

            assertThat(queue).as("queue span of task %d", id).isNotNull();
            assertThat(queue.parentSpanId()).isEqualTo(submit.spanId());
            assertThat(queue.traceId()).isEqualTo(submit.traceId());
            assertThat(queue.daemonId()).isEqualTo("1");

            assertThat(evaluate).as("the daemon's evaluate span of task %d", id).isNotNull();
            assertThat(evaluate.name()).isEqualTo(JMiraiTracing.EVALUATE_SPAN);
            assertThat(evaluate.kind()).isEqualTo("CONSUMER");
            assertThat(evaluate.traceId())
                    .as("one trace across the process boundary")
                    .isEqualTo(submit.traceId());
            assertThat(evaluate.parentSpanId())
                    .as("parented by the host's span")
                    .isEqualTo(submit.spanId());
            assertThat(evaluate.daemonId()).isEqualTo("1");
            assertThat(evaluate.outcomeCode())
                    .as("daemon outcome of task %d", id)
                    .isEqualTo(expected[2]);
        }
        assertThat(evaluated).as("the everywhere setup carried no context").hasSize(4);
    }

    private static void awaitResolved(Mirai<?> m) throws Exception {
        try {
            m.get(WAIT);
        } catch (MiraiException e) {
            // resolved to an error, as expected
        }
    }
}
