package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.api.AutoExit;
import io.jmirai.launch.LocalProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code close()} is bounded by one deadline however many daemons are stuck, and {@code tryMirai} never waits behind
 * a seeded {@code mirai()} that is waiting for room. Real daemon JVMs.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class BoundedCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldStopFourStuckDaemonsUnderOneDeadline() throws Exception {
        // autoexit=never: the daemons outlive the host's goodbye (they redial), so close() has to kill each of them
        Daemons daemons = Daemons.builder()
                .daemonOptions(DaemonOptions.defaults().autoExit(AutoExit.NEVER))
                .startTimeout(Duration.ofSeconds(90)) // four JVMs starting at once on a loaded 2-core machine
                .start();
        List<LocalProcess> ps = daemons.launchLocal(4);
        long start = System.nanoTime();
        daemons.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // dispatcher 5 s + one 5 s grace for all daemons + the kill; it was 5 s more per stuck daemon (25 s for 4)
        assertThat(took).isLessThan(Duration.ofSeconds(14));
        for (LocalProcess p : ps) {
            assertThat(p.process().isAlive()).isFalse();
        }
    }

    @Test
    void shouldNotMakeTryMiraiWaitBehindASeededMiraiWaitingForRoom() throws Exception {
        // one task in flight: the others stay at the host, where maxQueuedBytes counts them (a prefetched task's
        // bytes leave the gate once written to its daemon)
        try (Daemons daemons = Daemons.builder()
                .local(1)
                .prefetch(1)
                .maxQueuedBytes(100_000)
                .seed(7)
                .start()) {
            Path started = dir.resolve("started");
            String file = started.toString();
            Mirai<Integer> blocker = daemons.mirai(() -> {
                Probes.writePid(file);
                Thread.sleep(60_000);
                return 0;
            });
            Probes.awaitPid(started);
            byte[] payload = new byte[30_000];
            List<Mirai<Integer>> queued = new ArrayList<>();
            Optional<Mirai<Integer>> next;
            while ((next = daemons.tryMirai(() -> payload.length)).isPresent()) {
                queued.add(next.get());
            }
            assertThat(queued).hasSize(3);

            CompletableFuture<Mirai<Integer>> waiting = new CompletableFuture<>();
            Thread submitter = new Thread(() -> {
                try {
                    waiting.complete(daemons.mirai(() -> payload.length + 1));
                } catch (RuntimeException e) {
                    waiting.completeExceptionally(e);
                }
            });
            submitter.start();
            await().atMost(WAIT).until(() -> submitter.getState() == Thread.State.WAITING);

            CompletableFuture<Optional<Mirai<Integer>>> tried =
                    CompletableFuture.supplyAsync(() -> daemons.tryMirai(() -> payload.length + 2));
            assertThat(tried.get(5, TimeUnit.SECONDS))
                    .as("tryMirai at the limit")
                    .isEmpty();

            assertThat(blocker.stop()).isTrue();
            assertThat(waiting.get(30, TimeUnit.SECONDS).get(WAIT)).isEqualTo(30_001);
            for (Mirai<Integer> m : queued) {
                assertThat(m.get(WAIT)).isEqualTo(30_000);
            }
            await().atMost(WAIT).until(() -> daemons.status().queuedBytes() == 0);
        }
    }
}
