package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import io.jmirai.launch.LocalProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A daemon exits by its limits, with the documented exit codes. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static int exitCode(LocalProcess p) throws InterruptedException {
        assertThat(p.process().waitFor(30, TimeUnit.SECONDS))
                .as("daemon exited")
                .isTrue();
        return p.process().exitValue();
    }

    @Test
    void shouldExitWithIdleTimeCodeWhenIdleTimeIsReached() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().idleTime(Duration.ofMillis(1500)))
                .start()) {
            LocalProcess p = daemons.launchLocal(1).get(0);
            // a task resets the idle clock
            assertThat(daemons.mirai(() -> 1).get(WAIT)).isEqualTo(1);
            assertThat(exitCode(p)).isEqualTo(ExitCode.IDLE_TIME);
            await().atMost(WAIT).until(() -> daemons.status().connections() == 0);
            assertThat(daemons.status().daemons().get(0).complete()).isEqualTo(1);
        }
    }

    @Test
    void shouldExitWithWallTimeCodeWhenWallTimeIsReachedAfterTheRunningTask() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().wallTime(Duration.ofMillis(2000)))
                .start()) {
            // queued first, so the daemon gets it as soon as it connects, well within its wall time even on a slow host
            Mirai<String> m = daemons.mirai(() -> {
                Thread.sleep(2500);
                return "finished past the wall time";
            });
            LocalProcess p = daemons.launchLocal(1).get(0);
            assertThat(m.get(WAIT)).isEqualTo("finished past the wall time");
            assertThat(exitCode(p)).isEqualTo(ExitCode.WALL_TIME);
        }
    }

    @Test
    void shouldExitWithTaskLimitCodeAfterMaxTasksAndSendTheLastResult() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().maxTasks(3))
                .start()) {
            LocalProcess p = daemons.launchLocal(1).get(0);
            for (int i = 0; i < 3; i++) {
                int k = i;
                assertThat(daemons.mirai(() -> k).get(WAIT)).isEqualTo(k);
            }
            assertThat(exitCode(p)).isEqualTo(ExitCode.MAX_TASKS);
            Status s = daemons.status();
            assertThat(s.daemons().get(0).complete()).isEqualTo(3);
            await().atMost(WAIT).until(() -> daemons.status().connections() == 0);
        }
    }

    @Test
    void shouldExitWithCode0WhenTheHostCloses() throws Exception {
        Daemons daemons = Daemons.local(1);
        LocalProcess p = daemons.launchLocal(1).get(0);
        daemons.close();
        assertThat(exitCode(p)).isEqualTo(0);
    }

    @Test
    void shouldRedialWithAutoExitNeverUntilTheHostCloses() throws Exception {
        Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().autoExit(AutoExit.NEVER))
                .start();
        LocalProcess p = daemons.launchLocal(1).get(0);
        assertThat(daemons.mirai(() -> 1).get(WAIT)).isEqualTo(1);
        // the daemon outlives the host's goodbye (it redials), so close() ends it after its grace period
        daemons.close();
        assertThat(p.process().isAlive()).isFalse();
        assertThat(p.process().exitValue()).isNotIn(0, ExitCode.IDLE_TIME, ExitCode.WALL_TIME, ExitCode.MAX_TASKS);
    }
}
