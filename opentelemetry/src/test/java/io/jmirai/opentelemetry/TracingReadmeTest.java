package io.jmirai.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.Daemons;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's "Tracing" example, as written there, with its stated output. */
@Tag("integration")
@Timeout(120)
class TracingReadmeTest {
    @Test
    void shouldRunTheTracingExample() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create(); // or your OTLP exporter
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .build();
        try (Daemons daemons = Daemons.builder()
                .local(1)
                .observer(JMiraiTracing.observer(otel))
                .start()) {
            daemons.mirai(() -> 6 * 7).get(Duration.ofSeconds(10));
        }
        spans.getFinishedSpanItems().forEach(s -> System.out.println(s.getName())); // jmirai.queue, jmirai.submit

        assertThat(spans.getFinishedSpanItems())
                .extracting(SpanData::getName)
                .containsExactly("jmirai.queue", "jmirai.submit");
    }
}
