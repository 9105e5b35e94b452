package io.jmirai.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.TaskObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host's spans by plain calls on the observer (the dispatcher's calls, without a dispatcher). */
class HostTracingTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    private TaskObserver observer(Sampler sampler) {
        return JMiraiTracing.observer(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setSampler(sampler)
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .build());
    }

    @Test
    void shouldCarryTheSubmitSpansTraceparent() {
        TaskObserver o = observer(Sampler.alwaysOn());
        String traceparent = o.taskSubmitted(7);
        o.taskDispatched(7, "2");
        o.taskResolved(7, 0);
        List<SpanData> done = spans.getFinishedSpanItems();
        assertThat(done).extracting(SpanData::getName).containsExactly("jmirai.queue", "jmirai.submit");
        SpanData submit = done.get(1);
        assertThat(traceparent)
                .startsWith("00-" + submit.getTraceId() + "-" + submit.getSpanId() + "-")
                .hasSize(55);
        assertThat(sampled(traceparent)).isTrue();
        assertThat(submit.getAttributes().get(JMiraiTracing.DAEMON_ID)).isEqualTo("2");
        assertThat(submit.getAttributes().get(JMiraiTracing.OUTCOME_CODE)).isZero();
        assertThat(Traceparent.parent(traceparent).toString()).contains(submit.getSpanId());
    }

    @Test
    void shouldEndBothSpansWithTheOutcomeWhenATaskResolvesWhileQueued() {
        TaskObserver o = observer(Sampler.alwaysOn());
        o.taskSubmitted(1);
        o.taskResolved(1, 5);
        assertThat(spans.getFinishedSpanItems()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getAttributes().get(JMiraiTracing.OUTCOME_CODE)).isEqualTo(5L);
            assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(s.getAttributes().get(JMiraiTracing.DAEMON_ID)).isNull();
        });
    }

    @Test
    void shouldIgnoreTasksItNeverSaw() {
        TaskObserver o = observer(Sampler.alwaysOn());
        o.taskDispatched(3, "1"); // an everywhere setup
        o.taskResolved(3, 0);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void shouldCarryTheUnsampledFlagSoTheDaemonDoesNotRecordEither() {
        TaskObserver o = observer(Sampler.alwaysOff());
        assertThat(sampled(o.taskSubmitted(1))).isFalse();
        o.taskResolved(1, 0);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    /** @return the sampled bit of a traceparent's flags (other bits, such as W3C level 2's random, may be set) */
    private static boolean sampled(String traceparent) {
        return (Integer.parseInt(traceparent.substring(53), 16) & 1) != 0;
    }

    @Test
    void shouldCarryNothingWithANoopOpenTelemetry() {
        TaskObserver o = JMiraiTracing.observer(OpenTelemetry.noop());
        assertThat(o.taskSubmitted(1)).isNull();
        o.taskDispatched(1, "1");
        o.taskResolved(1, 0);
    }
}
