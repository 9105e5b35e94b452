package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.launch.LocalLauncher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Starting local daemons, and failing to. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class LocalLaunchTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldExplainADaemonThatFailsToStartWithItsStderr() {
        LocalLauncher broken = new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"),
                List.of("-XX:+NoSuchJMiraiOption"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Daemons.builder().launcher(broken).local(2).start())
                .isInstanceOf(DaemonStartException.class)
                .hasMessageContaining("daemon exited before connecting")
                .hasMessageContaining("NoSuchJMiraiOption");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
    }

    @Test
    void shouldExplainADaemonThatCannotFindItsClasses() {
        LocalLauncher noClasses =
                new LocalLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), "/nonexistent", List.of());
        assertThatThrownBy(() -> Daemons.builder().launcher(noClasses).local(1).start())
                .isInstanceOf(DaemonStartException.class)
                .hasMessageContaining("io.jmirai.daemon.DaemonMain");
    }

    @Test
    void shouldTimeOutADaemonThatNeverConnects() {
        LocalLauncher sleeper = new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"),
                List.of("-Djmirai.test=sleeper"));
        assertThatThrownBy(() -> Daemons.builder()
                        .launcher(sleeper)
                        .startTimeout(Duration.ofMillis(1))
                        .local(1)
                        .start())
                .isInstanceOf(DaemonStartException.class)
                .hasMessageContaining("did not connect within PT0.001S");
    }

    @Test
    void shouldRunOneTaskInAnEphemeralDaemon() throws Exception {
        int x = 6;
        Mirai<Long> m = Mirai.mirai(() -> ProcessHandle.current().pid() * 0 + x * 7);
        assertThat(m.get(WAIT)).isEqualTo(42L);
        Mirai<Long> pid = Mirai.mirai(() -> ProcessHandle.current().pid());
        assertThat(pid.get(WAIT)).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void shouldRejectBadBuilderInput() {
        assertThatThrownBy(() -> Daemons.builder().url("udp://127.0.0.1:0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown url scheme: scheme=udp");
        assertThatThrownBy(() -> Daemons.builder().url("tcp://127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no port");
        assertThatThrownBy(() -> Daemons.builder().local(-1)).hasMessageContaining("local : -1 (expected: >= 0)");
        assertThatThrownBy(() -> Daemons.builder().maxFrameLength(10)).hasMessageContaining("maxFrameLength : 10");
        assertThatThrownBy(() -> DaemonOptions.defaults().idleTime(Duration.ZERO))
                .hasMessageContaining("idleTime : PT0S");
    }

    @Test
    void shouldFailClearlyWhenThePortIsTaken() {
        try (Daemons first = Daemons.builder().start()) {
            assertThatThrownBy(() -> Daemons.builder().url(first.url()).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen: url=" + first.url());
        }
    }

    @Test
    void shouldNameAHostThatDoesNotResolve() {
        assertThatThrownBy(() ->
                        Daemons.builder().url("tcp://no.such.host.invalid:0").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "cannot listen: url=tcp://no.such.host.invalid:0: cannot resolve host: host=no.such.host.invalid");
    }
}
