package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Direct mode ({@code dispatcher(false)}): tasks go round-robin straight to two real daemons and wait there. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DirectModeTest {
    private static Daemons daemons;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        daemons = Daemons.builder().local(2).dispatcher(false).start();
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @Test
    void shouldSendTasksRoundRobinWithoutACentralQueue() throws Exception {
        List<Mirai<Long>> ms = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ms.add(daemons.mirai(() -> ProcessHandle.current().pid()));
        }
        List<Object> pids = Mirai.collect(ms, WAIT);
        assertThat(new HashSet<>(pids)).hasSize(2);
        for (int i = 2; i < 10; i++) {
            assertThat(pids.get(i)).as("task %d", i).isEqualTo(pids.get(i - 2));
            assertThat(pids.get(i)).isNotEqualTo(pids.get(i - 1));
        }
        Status s = daemons.status();
        assertThat(s.awaiting()).isZero();
        assertThat(s.executing()).isZero();
    }

    @Test
    void shouldDropATaskWaitingAtItsDaemonOnStopAndInterruptARunningOne() throws Exception {
        Path started = dir.resolve("started");
        String file = started.toString();
        String effect = dir.resolve("effect").toString();
        // the tasks alternate between the two daemons; a and c go to the same one, c waits behind a there
        List<Mirai<String>> ms = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int k = i;
            ms.add(daemons.mirai(() -> {
                if (k == 0) {
                    Probes.writePid(file);
                    Thread.sleep(60_000);
                }
                Probes.append(effect, Integer.toString(k));
                return "done " + k;
            }));
        }
        long pid = Probes.awaitPid(started);
        assertThat(ms.get(1).get(WAIT)).isEqualTo("done 1");
        assertThat(ms.get(3).get(WAIT)).isEqualTo("done 3");
        assertThat(daemons.status().executing())
                .as("sent to a daemon, waiting there")
                .isEqualTo(2);

        assertThat(ms.get(2).stop()).isTrue();
        assertThat(ms.get(0).stop()).isTrue();
        assertThat(((ErrorValue) ms.get(2).data()).code()).isEqualTo(ErrorValue.CANCELED);
        assertThat(((ErrorValue) ms.get(0).data()).code()).isEqualTo(ErrorValue.CANCELED);
        Probes.awaitDaemonsAnswered(daemons);
        assertThat(Files.readAllLines(Path.of(effect))).containsExactlyInAnyOrder("1", "3");
        Status s = daemons.status();
        assertThat(s.connections()).isEqualTo(2);
        assertThat(s.cumulative())
                .as("the daemon that ran the stopped task was not replaced")
                .isEqualTo(2);
        assertThat(Mirai.collect(
                        daemons.everywhere(() -> ProcessHandle.current().pid()), WAIT))
                .contains(pid);
    }

    @Test
    void shouldInterruptARunningTaskWhenItTimesOut() throws Exception {
        Mirai<String> m = daemons.mirai(
                () -> {
                    Thread.sleep(30_000);
                    return "late";
                },
                MiraiOptions.defaults().timeout(Duration.ofMillis(300)));
        assertThat(Probes.code(m)).isEqualTo(ErrorValue.TIMED_OUT);
        Probes.awaitDaemonsAnswered(daemons);
        assertThat(Mirai.collect(List.of(daemons.mirai(() -> 1), daemons.mirai(() -> 2)), WAIT))
                .containsExactly(1, 2);
    }

    @Test
    void shouldRunEverywhereOncePerDaemon() throws Exception {
        List<Mirai<Long>> setups =
                daemons.everywhere(() -> ProcessHandle.current().pid());
        assertThat(new HashSet<>(Mirai.collect(setups, WAIT))).hasSize(2);
    }
}
