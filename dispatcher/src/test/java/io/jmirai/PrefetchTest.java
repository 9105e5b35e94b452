package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LocalProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefetch window ({@link Daemons.Builder#prefetch}) with real daemons: tasks queued at a daemon that never
 * started there are not lost with it, and a batch keeps its order and its counters.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class PrefetchTest {
    @TempDir
    Path dir;

    @Test
    void shouldRunTheTasksWaitingAtAKilledDaemonElsewhereWithoutCountingARetry() throws Exception {
        try (Daemons daemons = Daemons.builder().prefetch(3).start()) {
            LocalProcess first = daemons.launchLocal(1).get(0);
            Path started = dir.resolve("started");
            String file = started.toString();
            Mirai<Integer> victim = daemons.mirai(() -> {
                Probes.writePid(file);
                Thread.sleep(60_000);
                return 0;
            });
            List<Mirai<Long>> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waiting.add(daemons.mirai(() -> ProcessHandle.current().pid()));
            }
            long pid = Probes.awaitPid(started);
            await().atMost(WAIT).until(() -> daemons.status().executing() == 3);
            assertThat(daemons.status().awaiting())
                    .as("prefetched tasks count as executing")
                    .isZero();

            LocalProcess second = daemons.launchLocal(1).get(0);
            first.process().destroyForcibly(); // SIGKILL: the running task is lost, the waiting ones never started

            assertThat(Probes.code(victim)).isEqualTo(ErrorValue.CONNECTION_RESET);
            for (Mirai<Long> m : waiting) {
                assertThat(m.get(WAIT))
                        .as("run by the other daemon, though retries = 0")
                        .isEqualTo(second.process().pid())
                        .isNotEqualTo(pid);
            }
            Status s = daemons.status();
            assertThat(s.awaiting() + s.executing()).isZero();
            assertThat(s.completed()).isEqualTo(3);
        }
    }

    @Test
    void shouldRunTheTaskWaitingAtADaemonThatExitsByItsTaskLimitElsewhere() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .prefetch(2)
                .daemonOptions(DaemonOptions.defaults().maxTasks(1))
                .start()) {
            LocalProcess first = daemons.launchLocal(1).get(0);
            Mirai<Long> ran = daemons.mirai(() -> ProcessHandle.current().pid());
            Mirai<Long> waiting = daemons.mirai(() -> ProcessHandle.current().pid());
            assertThat(ran.get(WAIT)).isEqualTo(first.process().pid());
            await().atMost(WAIT).until(() -> daemons.status().connections() == 0);
            assertThat(waiting.isUnresolved()).as("back in the queue, not lost").isTrue();
            assertThat(daemons.status().awaiting()).isEqualTo(1);
            LocalProcess second = daemons.launchLocal(1).get(0);
            assertThat(waiting.get(WAIT)).isEqualTo(second.process().pid());
        }
    }

    @Test
    void shouldRecallShortTasksWaitingBehindALongOneForAnIdleDaemon() throws Exception {
        try (Daemons daemons = Daemons.builder().prefetch(8).start()) {
            LocalProcess first = daemons.launchLocal(1).get(0);
            Path started = dir.resolve("started");
            String file = started.toString();
            Mirai<Integer> longTask = daemons.mirai(() -> {
                Probes.writePid(file);
                Thread.sleep(120_000); // far longer than the test waits for the short ones
                return 0;
            });
            List<Mirai<Long>> shorts = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                shorts.add(daemons.mirai(() -> ProcessHandle.current().pid()));
            }
            long busy = Probes.awaitPid(started);
            assertThat(busy).isEqualTo(first.process().pid());
            await().atMost(WAIT).until(() -> daemons.status().executing() == 8); // all prefetched behind the long one

            LocalProcess second = daemons.launchLocal(1).get(0); // idle: the waiting ones are recalled for it
            for (Mirai<Long> m : shorts) {
                assertThat(m.get(WAIT))
                        .as("run by the idle daemon")
                        .isEqualTo(second.process().pid());
            }
            assertThat(longTask.isUnresolved()).isTrue();

            List<Mirai<Long>> burst = new ArrayList<>(); // spread over both windows, then recalled
            for (int i = 0; i < 40; i++) {
                burst.add(daemons.mirai(() -> ProcessHandle.current().pid()));
            }
            for (Mirai<Long> m : burst) {
                assertThat(m.get(WAIT))
                        .as("never run behind the long task")
                        .isEqualTo(second.process().pid());
            }
            assertThat(longTask.isUnresolved())
                    .as("all that while the long task ran")
                    .isTrue();
            Status s = daemons.status();
            assertThat(s.completed()).isEqualTo(47);
            assertThat(s.executing()).as("only the long task").isEqualTo(1);
            assertThat(s.awaiting()).isZero();

            assertThat(longTask.stop()).isTrue();
            assertThat(Probes.code(longTask)).isEqualTo(ErrorValue.CANCELED);
            s = daemons.status();
            assertThat(s.completed()).isEqualTo(48);
            assertThat(s.awaiting() + s.executing()).isZero();
        }
    }

    /** The README's "Recall" example, as written there. */
    @Test
    void shouldRunTheReadmeRecallExample() throws Exception {
        try (Daemons daemons = Daemons.builder().prefetch(8).local(2).start()) {
            Mirai<Integer> slow = daemons.mirai(() -> {
                Thread.sleep(10_000);
                return 0;
            });
            List<Mirai<Integer>> quick = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int k = i;
                quick.add(daemons.mirai(() -> k)); // some are first sent behind `slow`, then recalled
            }
            for (Mirai<Integer> m : quick) {
                m.get(Duration.ofSeconds(5)); // all done long before `slow`
            }
            assertThat(slow.isUnresolved()).isTrue();
            slow.get(Duration.ofSeconds(30));
        }
    }

    @Test
    void shouldKeepFifoOrderAndOneTaskRunningPerDaemon() throws Exception {
        Path log = dir.resolve("log");
        String file = log.toString();
        try (Daemons daemons = Daemons.builder().prefetch(4).start()) {
            daemons.launchLocal(1);
            List<Mirai<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int k = i;
                all.add(daemons.mirai(() -> {
                    Probes.append(file, "start " + k);
                    Probes.append(file, "end " + k);
                    return k;
                }));
            }
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).get(WAIT)).isEqualTo(i);
            }
            List<String> lines = Probes.lines(log);
            assertThat(lines).hasSize(400);
            for (int i = 0; i < 200; i++) {
                assertThat(lines.get(2 * i)).isEqualTo("start " + i);
                assertThat(lines.get(2 * i + 1)).as("one at a time").isEqualTo("end " + i);
            }
            Status s = daemons.status();
            assertThat(s.completed()).isEqualTo(200);
            assertThat(s.awaiting() + s.executing()).isZero();
        }
    }
}
