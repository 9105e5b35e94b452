package io.jmirai;

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

/** Daemons that die, and hosts that close, with work in flight. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonLossTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldResolveToConnectionResetWhenADaemonIsKilledMidTaskWhileTheOtherCarriesOn() throws Exception {
        try (Daemons daemons = Daemons.local(2)) {
            Sleeper sleeper = Sleeper.start(daemons, dir);
            Mirai<Integer> victim = sleeper.mirai();
            long pid = sleeper.pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL

            Object d = DaemonsTest.awaitData(victim);
            assertThat(d).isInstanceOf(ErrorValue.class);
            assertThat(((ErrorValue) d).code()).isEqualTo(ErrorValue.CONNECTION_RESET);
            assertThat(((ErrorValue) d).message()).contains("daemon lost");

            List<Mirai<Long>> more = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                more.add(daemons.mirai(() -> ProcessHandle.current().pid()));
            }
            for (Mirai<Long> m : more) {
                assertThat(m.get(WAIT)).isNotEqualTo(pid);
            }
            Status s = daemons.status();
            assertThat(s.connections()).isEqualTo(1);
            assertThat(s.daemons()).filteredOn(Status.DaemonStatus::online).hasSize(1);
            assertThat(s.executing()).isZero();
        }
    }

    @Test
    void shouldResolveRunningAndQueuedTasksAndStopDaemonsOnClose() throws Exception {
        Daemons daemons = Daemons.builder().prefetch(1).start(); // one in flight: the others are queued at the host
        List<LocalProcess> processes = daemons.launchLocal(1);
        List<Mirai<Integer>> ms = new ArrayList<>();
        ms.add(daemons.mirai(() -> {
            Thread.sleep(60_000);
            return 0;
        }));
        for (int i = 1; i <= 3; i++) {
            int k = i;
            ms.add(daemons.mirai(() -> k));
        }
        await().atMost(WAIT).until(() -> daemons.status().executing() == 1);
        assertThat(daemons.status().awaiting()).isEqualTo(3);

        long start = System.nanoTime();
        daemons.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        for (Mirai<Integer> m : ms) {
            assertThat(m.isUnresolved()).isFalse();
            assertThat(((ErrorValue) m.data()).code()).isEqualTo(ErrorValue.CONNECTION_RESET);
        }
        assertThat(processes.get(0).process().isAlive()).isFalse();
        assertThat(processes.get(0).process().exitValue()).isEqualTo(0);
    }
}
