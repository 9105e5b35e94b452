package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jepsen-style accounting under a kill storm: daemons are killed with SIGKILL over and over while a few thousand tasks
 * with retries run on a fixed pool. Every task must resolve to its right value (none lost, none wrong); a task may run
 * twice only when its daemon died under it, so duplicates are bounded by the kills. Real daemon JVMs.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(LeakCheck.class)
class KillStormTest {
    private static final int TASKS = 2000;
    private static final int MAX_KILLS = 16;

    @TempDir
    Path dir;

    @Test
    void shouldLoseNothingAndComputeNothingWrongWhileDaemonsAreKilled() throws Exception {
        Path journal = dir.resolve("executions");
        Files.createFile(journal);
        String file = journal.toString();
        try (Daemons daemons = Daemons.builder()
                .local(4)
                .fixedPool(true)
                .retries(50)
                .startTimeout(Duration.ofSeconds(90)) // four JVMs starting at once on a loaded 2-core machine
                .start()) {
            long start = System.nanoTime();
            List<Mirai<Long>> ms = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                long k = i;
                ms.add(daemons.mirai(() -> {
                    // the journal records every execution; O_APPEND keeps lines whole across processes
                    Files.write(Path.of(file), (k + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                    Thread.sleep(5);
                    return k * k + 1;
                }));
            }

            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger kills = new AtomicInteger();
            Thread killer = new Thread(() -> {
                Random random = new Random(42);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!done.get() && kills.get() < MAX_KILLS && System.nanoTime() < end) {
                    List<ProcessHandle> children =
                            ProcessHandle.current().children().toList();
                    if (!children.isEmpty()) {
                        children.get(random.nextInt(children.size())).destroyForcibly(); // SIGKILL
                        kills.incrementAndGet();
                    }
                    try {
                        Thread.sleep(250); // the storm's pace, not synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            killer.start();

            int lost = 0;
            int wrong = 0;
            Map<Integer, Integer> codes = new HashMap<>();
            try {
                for (int i = 0; i < TASKS; i++) {
                    Mirai<Long> m = ms.get(i);
                    Object d;
                    try {
                        m.get(Duration.ofSeconds(120));
                        d = m.data();
                    } catch (MiraiException e) {
                        d = m.data();
                    }
                    if (m.isError()) {
                        lost++;
                        codes.merge(((ErrorValue) d).code(), 1, Integer::sum);
                    } else if (!d.equals((long) i * i + 1)) {
                        wrong++;
                    }
                }
            } finally {
                done.set(true);
                killer.join(10_000);
            }
            Map<Long, Integer> executions = new HashMap<>();
            for (String line : Files.readAllLines(journal)) {
                executions.merge(Long.parseLong(line), 1, Integer::sum);
            }
            long duplicated = executions.values().stream().filter(n -> n > 1).count();
            long neverRan = TASKS - executions.size();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf(
                    "kill storm: tasks=%d, kills=%d, lost=%d %s, wrong=%d, duplicated=%d, neverRan=%d, took=%s%n",
                    TASKS, kills.get(), lost, codes, wrong, duplicated, neverRan, took);

            assertThat(kills.get()).as("daemons killed").isPositive();
            assertThat(lost).as("lost (resolved to an error: %s)", codes).isZero();
            assertThat(wrong).as("wrong values").isZero();
            assertThat(neverRan).as("tasks with a value that never ran").isZero();
            assertThat(duplicated).as("tasks run twice").isLessThanOrEqualTo(kills.get());
            assertThat(took).isLessThan(Duration.ofSeconds(90));
        }
    }
}
