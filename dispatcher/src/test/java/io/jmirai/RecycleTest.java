package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A task that ignores interrupts: it resolves on time, and its daemon is recycled and replaced. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class RecycleTest {
    @TempDir
    Path dir;

    @Test
    void shouldResolveOnTimeAndRecycleAndReplaceADaemonWhoseTaskIgnoresInterrupts() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .local(1)
                .interruptGrace(Duration.ofMillis(500))
                .start()) {
            Path started = dir.resolve("started");
            String file = started.toString();
            // The timeout must hit a task that runs: a fresh daemon's first task (class loading, Kryo) can take longer
            // than the timeout on a loaded 2-core machine, and a task stopped before it starts never writes its pid.
            assertThat(daemons.mirai(() -> "warm").get(WAIT)).isEqualTo("warm");
            long t0 = System.nanoTime();
            Mirai<String> stubborn = daemons.mirai(
                    () -> {
                        Probes.writePid(file);
                        while (true) { // swallows every interrupt
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException ignored) {
                                // keep going
                            }
                        }
                    },
                    MiraiOptions.defaults().timeout(Duration.ofMillis(1000))); // see above: room to start under load
            // queued behind it: must run on the replacement, not hang with the stubborn daemon
            Mirai<Long> next = daemons.mirai(() -> ProcessHandle.current().pid());

            assertThat(Probes.code(stubborn)).isEqualTo(ErrorValue.TIMED_OUT);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            long oldPid = Probes.awaitPid(started);

            Optional<ProcessHandle> old = ProcessHandle.of(oldPid);
            if (old.isPresent()) {
                assertThat(old.get().onExit().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                        .isNotNull();
            }
            assertThat(next.get(WAIT)).isNotEqualTo(oldPid);
            await().atMost(WAIT).until(() -> daemons.status().connections() == 1);
            Status s = daemons.status();
            assertThat(s.daemons()).hasSize(1);
            assertThat(s.daemons().get(0).instance())
                    .as("replaced at the same slot")
                    .isEqualTo(2);
            assertThat(s.daemons().get(0).online()).isTrue();
            assertThat(s.executing()).isZero();
            assertThat(s.awaiting()).isZero();
        }
    }
}
