package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.launch.LocalLauncher;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.Handshake;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The daemon's {@code --output} and {@code --cleanup} options, observed from outside the daemon. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonOptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String runPrintingTask(DaemonOptions options) throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            List<String> cmd = new LocalLauncher().command(ListenUrl.parse(daemons.url()), options.maxTasks(1), null);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put(Handshake.SECRET_ENV, daemons.secret());
            Process p = pb.start();
            try {
                assertThat(daemons.mirai(() -> {
                                    System.out.println("hello from the task's stdout");
                                    System.err.println("hello from the task's stderr");
                                    return 1;
                                })
                                .get(WAIT))
                        .isEqualTo(1);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void shouldKeepTheTasksOutputOnlyWithOutput() throws Exception {
        assertThat(runPrintingTask(DaemonOptions.defaults().output(true)))
                .contains("hello from the task's stdout", "hello from the task's stderr");
        assertThat(runPrintingTask(DaemonOptions.defaults()))
                .doesNotContain("hello from the task's stdout")
                .doesNotContain("hello from the task's stderr");
    }

    @Test
    void shouldRestoreSystemPropertiesLocaleAndTimeZoneAfterEachTaskWithCleanup() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            daemons.mirai(() -> {
                        System.setProperty("jmirai.test.leftover", "yes");
                        Locale.setDefault(Locale.JAPAN);
                        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
                        return 0;
                    })
                    .get(WAIT);
            assertThat(daemons.mirai(() -> System.getProperty("jmirai.test.leftover") + " "
                                    + Locale.getDefault().equals(Locale.JAPAN) + " "
                                    + java.util.TimeZone.getDefault().getID())
                            .get(WAIT))
                    .isEqualTo("null false "
                            + daemons.mirai(() ->
                                            java.util.TimeZone.getDefault().getID())
                                    .get(WAIT));
        }
        try (Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().cleanup(false))
                .local(1)
                .start()) {
            daemons.mirai(() -> System.setProperty("jmirai.test.leftover", "yes"))
                    .get(WAIT);
            assertThat(daemons.mirai(() -> System.getProperty("jmirai.test.leftover"))
                            .get(WAIT))
                    .isEqualTo("yes");
        }
    }
}
