package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Daemons killed mid-task: retries run the task again, and a fixed pool replaces the dead. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class RetriesTest {
    private static Daemons daemons;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        daemons = Daemons.builder().local(2).fixedPool(true).start();
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @AfterEach
    void poolIsWholeAgain() {
        await().atMost(WAIT).until(() -> daemons.status().connections() == 2);
        Status s = daemons.status();
        assertThat(s.daemons())
                .hasSize(2)
                .allSatisfy(d -> assertThat(d.online()).isTrue());
        assertThat(s.awaiting()).isZero();
        assertThat(s.executing()).isZero();
    }

    @Test
    void shouldRunATaskAgainOnAnotherDaemonAfterItsDaemonIsKilled() throws Exception {
        String attempts = dir.resolve("attempts").toString();
        Path started = dir.resolve("started");
        String pidFile = started.toString();
        Mirai<Long> m = daemons.mirai(
                () -> {
                    Probes.append(
                            attempts, Long.toString(ProcessHandle.current().pid()));
                    if (Probes.lines(Path.of(attempts)).size() == 1) {
                        Probes.writePid(pidFile);
                        Thread.sleep(60_000);
                    }
                    return ProcessHandle.current().pid();
                },
                MiraiOptions.defaults().retries(1));
        long victim = Probes.awaitPid(started);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL

        long ranOn = m.get(WAIT);
        assertThat(ranOn).isNotEqualTo(victim);
        assertThat(Files.readAllLines(Path.of(attempts)))
                .as("run exactly twice: once killed, once retried")
                .containsExactly(Long.toString(victim), Long.toString(ranOn));
        await().atMost(WAIT)
                .until(() -> daemons.status().daemons().stream().anyMatch(d -> d.instance() == 2 && d.online()));
    }

    @Test
    void shouldResolveToRetriesExhaustedWhenTheDaemonIsLostOnceMoreThanTheRetries() throws Exception {
        String attempts = dir.resolve("attempts").toString();
        Mirai<Integer> m = daemons.mirai(
                () -> {
                    Probes.append(
                            attempts, Long.toString(ProcessHandle.current().pid()));
                    Runtime.getRuntime().halt(137); // the daemon dies under the task, every time
                    return 0;
                },
                MiraiOptions.defaults().retries(1));
        Object d = DaemonsTest.awaitData(m);
        assertThat(d).isInstanceOf(RetriesExhausted.class);
        RetriesExhausted e = (RetriesExhausted) d;
        assertThat(e.code()).isEqualTo(ErrorValue.RETRIES_EXHAUSTED);
        assertThat(e.losses()).isEqualTo(2);
        assertThat(e.message()).contains("daemon lost 2 times").contains("retries=1");
        assertThat(Files.readAllLines(Path.of(attempts))).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void shouldLoseNothingAndRunNothingTwiceExceptTheRetriedTask() throws Exception {
        Path log = dir.resolve("log");
        String logFile = log.toString();
        List<Mirai<Integer>> ms = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int k = i;
            ms.add(daemons.mirai(
                    () -> {
                        Probes.append(logFile, k + " " + ProcessHandle.current().pid());
                        Thread.sleep(40);
                        return k;
                    },
                    MiraiOptions.defaults().retries(2)));
        }
        await().atMost(WAIT).until(() -> Probes.lines(log).size() >= 10);
        List<String> soFar = Probes.lines(log);
        long victim = Long.parseLong(soFar.get(soFar.size() - 1).split(" ")[1]);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL, most likely mid-task

        for (int i = 0; i < 40; i++) {
            assertThat(ms.get(i).get(WAIT)).as("task %d", i).isEqualTo(i);
        }
        List<String> runs = Probes.lines(log).stream().map(l -> l.split(" ")[0]).toList();
        for (int i = 0; i < 40; i++) {
            assertThat(runs).as("task %d ran", i).contains(Integer.toString(i));
        }
        assertThat(runs.size() - 40)
                .as("runs beyond one per task: only the retried one")
                .isLessThanOrEqualTo(1);
        assertThat(Probes.lines(log).stream().filter(l -> l.endsWith(" " + victim)))
                .as("the killed daemon ran tasks")
                .isNotEmpty();
    }
}
