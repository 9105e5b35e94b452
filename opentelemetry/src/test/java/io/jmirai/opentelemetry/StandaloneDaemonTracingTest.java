package io.jmirai.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.opentelemetry.DaemonSpans.SpanLine;
import io.jmirai.transport.protocol.Handshake;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon jar as on a remote machine ({@code java -jar jmirai-daemon.jar … --classpath=…}): it carries no
 * OpenTelemetry, and tracing comes from what the user puts on {@code --classpath} (this module, the API and an SDK),
 * loaded by the daemon's task class loader and found there with ServiceLoader.
 */
@Tag("integration")
@Timeout(120)
class StandaloneDaemonTracingTest {
    private static final Path DAEMON_JAR = Path.of("..", "daemon", "target", "jmirai-daemon.jar");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldTraceInTheStandaloneDaemonWithOpenTelemetryOnlyOnItsClasspathOption() throws Exception {
        assertThat(DAEMON_JAR).as("built by the daemon module's package phase").exists();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(DAEMON_JAR.toFile())) {
            assertThat(jar.stream().map(java.util.jar.JarEntry::getName))
                    .as("the daemon jar does not carry OpenTelemetry")
                    .noneMatch(name -> name.startsWith("io/opentelemetry/"));
        }
        InMemorySpanExporter hostSpans = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(hostSpans))
                        .build())
                .build();
        String daemonLines;
        long id;
        String secretValue = Handshake.newSecret();
        try (Daemons daemons = Daemons.builder()
                .secret(secretValue)
                .observer(JMiraiTracing.observer(otel))
                .start()) {
            Path secret = dir.resolve("secret");
            Files.writeString(secret, secretValue);
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            ProcessBuilder pb = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            DAEMON_JAR.toString(),
                            daemons.url(),
                            "--secret-file=" + secret,
                            "--classpath=" + userClasspath())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile());
            pb.environment().remove(Handshake.SECRET_ENV);
            Process p = pb.start();
            try {
                Mirai.collect(daemons.everywhere(DaemonSpans::install, 1, WAIT), WAIT);
                Mirai<Integer> m = daemons.mirai(() -> 6 * 7);
                assertThat(m.get(WAIT)).isEqualTo(42);
                id = m.id();
                daemonLines = daemons.mirai(DaemonSpans::finished).get(WAIT);
            } finally {
                p.destroyForcibly();
            }
        }
        SpanData submit = hostSpans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(JMiraiTracing.SUBMIT_SPAN))
                .filter(s -> s.getAttributes().get(JMiraiTracing.TASK_ID) == id)
                .findFirst()
                .orElseThrow();
        String log = Files.readString(dir.resolve("daemon.log"));
        assertThat(daemonLines).as("the daemon's spans; its log:\n%s", log).isNotEmpty();
        SpanLine evaluate = SpanLine.parse(daemonLines);
        assertThat(evaluate.name()).isEqualTo(JMiraiTracing.EVALUATE_SPAN);
        assertThat(evaluate.taskId()).isEqualTo(id);
        assertThat(evaluate.traceId()).isEqualTo(submit.getTraceId());
        assertThat(evaluate.parentSpanId()).isEqualTo(submit.getSpanId());
        assertThat(evaluate.daemonId()).isEqualTo(submit.getAttributes().get(JMiraiTracing.DAEMON_ID));
        assertThat(log).contains("tracing tasks: tracer=" + DaemonTracing.class.getName());
    }

    /** This module's classes and tests, and the OpenTelemetry jars they use: what a user adds to --classpath. */
    private static String userClasspath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(Path.of("target", "classes").toAbsolutePath().toString());
        entries.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        for (Class<?> c : Stream.of(
                        io.opentelemetry.api.OpenTelemetry.class,
                        io.opentelemetry.context.Context.class,
                        io.opentelemetry.common.ComponentLoader.class,
                        OpenTelemetrySdk.class,
                        io.opentelemetry.sdk.common.CompletableResultCode.class,
                        SdkTracerProvider.class,
                        io.opentelemetry.sdk.metrics.SdkMeterProvider.class,
                        io.opentelemetry.sdk.logs.SdkLoggerProvider.class,
                        InMemorySpanExporter.class)
                .toList()) {
            entries.add(Path.of(c.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
