package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LocalLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link Daemons#scale(int)} with local daemons: up and down under load, and launches that never connect. */
@Tag("integration")
@Timeout(180)
@ExtendWith(LeakCheck.class)
class ScaleTest {
    // Daemon JVMs start in about a second on a quiet machine; a loaded 2-core machine shared by several builds can
    // take many times that.
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldScaleUpAndDownUnderLoadWithoutLosingATask() throws Exception {
        try (Daemons daemons = Daemons.builder().local(1).start()) {
            assertThat(daemons.status().expected()).isEqualTo(1);
            List<Mirai<long[]>> ms = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int k = i;
                ms.add(daemons.mirai(() -> {
                    Thread.sleep(20);
                    return new long[] {k, ProcessHandle.current().pid()};
                }));
            }

            daemons.scale(3);
            Status up = daemons.status();
            assertThat(up.expected()).isEqualTo(3);
            assertThat(up.running() + up.initializing()).isEqualTo(3);
            await("three daemons running")
                    .atMost(WAIT)
                    .until(() -> daemons.status().running() == 3);
            assertThat(daemons.status().awaiting())
                    .as("scaled down while tasks wait")
                    .isPositive();

            daemons.scale(1); // the two retired daemons are idle or finish their task first
            Status down = daemons.status();
            assertThat(down.expected()).isEqualTo(1);
            assertThat(down.running()).isEqualTo(1);

            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < ms.size(); i++) {
                long[] v = ms.get(i).get(WAIT); // throws if any task failed
                assertThat(v[0]).isEqualTo(i);
                pids.add(v[1]);
            }
            assertThat(pids).as("the daemons scaled up took tasks").hasSizeGreaterThanOrEqualTo(2);
            await("retired daemons leave")
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 1);
            Status end = daemons.status();
            assertThat(end.completed()).isEqualTo(300);
            assertThat(end.awaiting() + end.executing()).isZero();
            assertThat(end.daemons()).as("retired rows are dropped").hasSize(1);
            await("retired daemon processes exit")
                    .atMost(WAIT)
                    .until(() -> pids.stream()
                                    .filter(p -> ProcessHandle.of(p)
                                            .map(ProcessHandle::isAlive)
                                            .orElse(false))
                                    .count()
                            <= 1);

            assertThat(daemons.mirai(() -> 42).get(WAIT)).isEqualTo(42); // the one left works
        }
    }

    @Test
    void shouldRetireABusyDaemonOnlyAfterItsTask() throws Exception {
        try (Daemons daemons = Daemons.builder().local(1).start()) {
            Mirai<String> busy = daemons.mirai(() -> {
                Thread.sleep(1500);
                return "done";
            });
            await().atMost(WAIT).until(() -> daemons.status().executing() == 1);
            daemons.scale(0);
            assertThat(daemons.status().running()).isZero();
            assertThat(daemons.status().connections())
                    .as("still connected while busy")
                    .isEqualTo(1);
            Mirai<Integer> queued = daemons.mirai(() -> 7);

            assertThat(busy.get(WAIT)).isEqualTo("done");
            await("the retired daemon leaves")
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 0);
            assertThat(queued.isUnresolved())
                    .as("a retiring daemon takes no new task")
                    .isTrue();
            assertThat(daemons.status().awaiting()).isEqualTo(1);

            daemons.scale(1);
            assertThat(queued.get(WAIT)).isEqualTo(7);
        }
    }

    @Test
    void shouldMakeARetiredDaemonExitEvenWhenItWouldRedial() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().autoExit(io.jmirai.api.AutoExit.NEVER))
                .local(2)
                .start()) {
            List<Long> pids = new ArrayList<>();
            for (Object v : Mirai.collect(
                    daemons.everywhere(() -> ProcessHandle.current().pid()))) {
                pids.add((Long) v);
            }
            daemons.scale(1);
            await("one retired daemon process exits instead of redialling")
                    .atMost(WAIT)
                    .until(() -> pids.stream()
                                    .filter(p -> ProcessHandle.of(p)
                                            .map(ProcessHandle::isAlive)
                                            .orElse(false))
                                    .count()
                            == 1);
            assertThat(daemons.status().connections()).isEqualTo(1);
            assertThat(daemons.status().cumulative()).as("no redial").isEqualTo(2);
        }
    }

    @Test
    void shouldKillAndReportALaunchThatNeverConnects() throws Exception {
        Path pidFile = dir.resolve("pid");
        Path fakeJava = dir.resolve("fake-java");
        Files.writeString(
                fakeJava, "#!/bin/sh\necho \"$$\" > '" + pidFile + "'\necho never dialing >&2\nexec sleep 120\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        try (Daemons daemons = Daemons.builder()
                .launcher(new LocalLauncher(fakeJava, "unused", List.of()))
                .startTimeout(Duration.ofSeconds(2))
                .start()) {
            daemons.scale(1);
            assertThat(daemons.status().initializing()).isEqualTo(1);
            await().atMost(WAIT).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
            long pid = Long.parseLong(Files.readString(pidFile).strip());

            await("the launch is reported")
                    .atMost(WAIT)
                    .until(() -> !daemons.status().launchFailures().isEmpty());
            Status s = daemons.status();
            assertThat(s.launchFailures().get(0))
                    .contains("did not connect within PT2S")
                    .contains("killed")
                    .contains("never dialing");
            assertThat(s.initializing()).isZero();
            assertThat(s.daemons()).as("its slot is released").isEmpty();
            assertThat(s.toString()).contains("launch failed: local daemon did not connect");
            await("the process is killed")
                    .atMost(WAIT)
                    .until(() ->
                            !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    @Test
    void shouldRefuseBadTargetsAndManualConfigs() {
        try (Daemons daemons = Daemons.builder().start()) {
            assertThatThrownBy(() -> daemons.scale(-1)).isInstanceOf(IllegalArgumentException.class);
            daemons.scale(0);
            assertThat(daemons.status().expected()).isZero();
        }
        assertThatThrownBy(() -> Daemons.builder().launchConfig(LaunchConfig.manual()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manual");
        assertThatThrownBy(() -> Daemons.builder().autoscale(2, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min=2, max=1");
        assertThatThrownBy(() -> Daemons.builder().autoscale(0, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
