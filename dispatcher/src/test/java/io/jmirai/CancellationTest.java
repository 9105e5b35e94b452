package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timeouts, stop and interrupt signals on one real daemon, which every test shares: a daemon runs one task at a time,
 * so what a stopped task would have done next is observable by what the daemon does after it.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CancellationTest {
    private static Daemons daemons;
    private static long daemonPid;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        // one task in flight: a task behind the blocker waits at the host (awaiting, never sent), which these tests
        // pin; stopping tasks prefetched to a daemon is covered by PrefetchTest and TaskLifecycleTest
        daemons = Daemons.builder().local(1).prefetch(1).start();
        daemonPid = daemons.mirai(() -> ProcessHandle.current().pid()).get(WAIT);
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @AfterEach
    void daemonIsTheSameAndIdle() throws Exception {
        // a late RESULT of a stopped task must not be taken for a protocol error: the daemon keeps its connection
        assertThat(daemons.mirai(() -> ProcessHandle.current().pid()).get(WAIT)).isEqualTo(daemonPid);
        Status s = daemons.status();
        assertThat(s.connections()).isEqualTo(1);
        assertThat(s.daemons().get(0).instance()).isEqualTo(1);
        assertThat(s.awaiting()).isZero();
        assertThat(s.executing()).isZero();
    }

    private Mirai<Integer> blocker(Path started) {
        String file = started.toString();
        return daemons.mirai(() -> {
            Probes.writePid(file);
            Thread.sleep(60_000);
            return 0;
        });
    }

    @Test
    void shouldCountQueueTimeTowardsTheTimeoutAndNeverRunTheTask() throws Exception {
        Path started = dir.resolve("started");
        String effect = dir.resolve("effect").toString();
        Mirai<Integer> blocker = blocker(started);
        Probes.awaitPid(started);

        long t0 = System.nanoTime();
        Mirai<String> queued = daemons.mirai(
                () -> {
                    Probes.append(effect, "ran");
                    return "ran";
                },
                MiraiOptions.defaults().timeout(Duration.ofMillis(400)));
        Object d = DaemonsTest.awaitData(queued);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(d).isInstanceOf(ErrorValue.class);
        assertThat(((ErrorValue) d).code()).isEqualTo(ErrorValue.TIMED_OUT);
        assertThat(((ErrorValue) d).message()).contains("timed out");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(10));
        assertThat(blocker.isUnresolved()).as("timed out while still queued").isTrue();
        assertThat(daemons.status().daemons().get(0).assigned())
                .as("never sent")
                .isEqualTo(daemons.status().daemons().get(0).complete() + 1);

        assertThat(blocker.stop()).isTrue();
        Probes.awaitDaemonsAnswered(daemons);
        assertThat(daemons.mirai(() -> "after").get(WAIT)).isEqualTo("after");
        assertThat(Files.exists(Path.of(effect)))
                .as("the timed-out task never ran")
                .isFalse();
    }

    @Test
    void shouldInterruptARunningTaskWhenItTimesOut() throws Exception {
        String effect = dir.resolve("effect").toString();
        long t0 = System.nanoTime();
        Mirai<String> m = daemons.mirai(
                () -> {
                    Thread.sleep(30_000);
                    Probes.append(effect, "finished");
                    return "finished";
                },
                MiraiOptions.defaults().timeout(Duration.ofMillis(300)));
        assertThat(Probes.code(m)).isEqualTo(ErrorValue.TIMED_OUT);
        // the daemon is free again long before the 30 s sleep would end: the task was interrupted
        assertThat(daemons.mirai(() -> "next").get(WAIT)).isEqualTo("next");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(Files.exists(Path.of(effect))).isFalse();
    }

    @Test
    void shouldRemoveAQueuedTaskOnStopSoThatItNeverRuns() throws Exception {
        Path started = dir.resolve("started");
        String effect = dir.resolve("effect").toString();
        Mirai<Integer> blocker = blocker(started);
        Probes.awaitPid(started);
        Mirai<String> queued = daemons.mirai(() -> {
            Probes.append(effect, "ran");
            return "ran";
        });
        await().atMost(WAIT).until(() -> daemons.status().awaiting() == 1);

        assertThat(queued.stop()).isTrue();
        assertThat(daemons.status().awaiting()).isZero();
        ErrorValue e = (ErrorValue) queued.data();
        assertThat(e.code()).isEqualTo(ErrorValue.CANCELED);
        assertThat(queued.stop()).as("already resolved").isFalse();

        assertThat(blocker.stop()).isTrue();
        Probes.awaitDaemonsAnswered(daemons);
        assertThat(daemons.mirai(() -> "after").get(WAIT)).isEqualTo("after");
        assertThat(Files.exists(Path.of(effect)))
                .as("the stopped task never ran")
                .isFalse();
    }

    @Test
    void shouldInterruptARunningTaskOnStopBeforeItsSideEffect() throws Exception {
        Path started = dir.resolve("started");
        String file = started.toString();
        String effect = dir.resolve("effect").toString();
        Mirai<String> m = daemons.mirai(() -> {
            Probes.writePid(file);
            Thread.sleep(3_000);
            Probes.append(effect, "after the sleep");
            return "finished";
        });
        Probes.awaitPid(started);
        long t0 = System.nanoTime();
        assertThat(m.stop()).isTrue();
        assertThat(((ErrorValue) m.data()).code()).isEqualTo(ErrorValue.CANCELED);
        assertThat(m.isUnresolved()).isFalse();
        assertThatGetThrowsCode(m, ErrorValue.CANCELED);

        // the daemon takes the next task only once the stopped one has answered
        assertThat(daemons.mirai(() -> "next").get(WAIT)).isEqualTo("next");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
        assertThat(Files.exists(Path.of(effect)))
                .as("the stopped task's side effect")
                .isFalse();
    }

    @Test
    void shouldIgnoreAStopThatArrivesAfterTheTaskFinished() throws Exception {
        Mirai<Integer> m = daemons.mirai(() -> 42);
        assertThat(m.get(WAIT)).isEqualTo(42);
        assertThat(m.stop()).isFalse();
        assertThat(m.data()).isEqualTo(42);
        assertThat(Mirai.stop(List.of(m))).isZero();
    }

    @Test
    void shouldStopManyAtOnce() throws Exception {
        List<Mirai<Integer>> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ms.add(daemons.mirai(() -> {
                Thread.sleep(60_000);
                return 1;
            }));
        }
        await().atMost(WAIT).until(() -> daemons.status().executing() == 1);
        assertThat(Mirai.stop(ms)).isEqualTo(5);
        for (Mirai<Integer> m : ms) {
            assertThat(((ErrorValue) m.data()).code()).isEqualTo(ErrorValue.CANCELED);
        }
        assertThat(Mirai.stop(ms)).isZero();
    }

    @Test
    void shouldResolveATaskInterruptedBySigintToAMiraiInterruptAndKeepTheDaemon() throws Exception {
        // A process started in the background of a non-interactive shell (e.g. `mvn verify &` in a script) has SIGINT
        // ignored, its daemons inherit that, and the JVM then never installs a SIGINT handler: nothing to test there.
        Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (a background job of a script)");
        Path started = dir.resolve("started");
        String file = started.toString();
        Mirai<String> m = daemons.mirai(() -> {
            Probes.writePid(file);
            Thread.sleep(30_000);
            return "not interrupted";
        });
        long pid = Probes.awaitPid(started);
        assertThat(pid).isEqualTo(daemonPid);
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();

        Object d = DaemonsTest.awaitData(m);
        assertThat(d).isInstanceOf(MiraiInterrupt.class);
        assertThat(((ErrorValue) d).code()).isEqualTo(ErrorValue.INTERRUPTED);
        assertThatGetThrowsCode(m, ErrorValue.INTERRUPTED);
    }

    /** @return whether this process (and so the daemons it starts) has SIGINT ignored: bit 1 of SigIgn in /proc */
    private static boolean sigintIgnored() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2L) != 0;
            }
        }
        return false;
    }

    private static void assertThatGetThrowsCode(Mirai<?> m, int code) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.get(WAIT))
                .isInstanceOfSatisfying(
                        MiraiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
