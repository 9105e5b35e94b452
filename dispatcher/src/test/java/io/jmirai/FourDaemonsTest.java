package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jmirai.api.DaemonContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code everywhere} and seeded random streams on four real daemons, shared by the tests of this class (four JVMs
 * are started once). The seeded test runs first: the stream of a task depends on its submission index among the
 * daemons' tasks, so it needs a fresh count; the everywhere setups do not count.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FourDaemonsTest {
    private static final long SEED = 20261121L;
    private static Daemons four;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        four = Daemons.builder().local(4).seed(SEED).start();
    }

    @AfterAll
    static void stop() {
        four.close();
    }

    private static List<Object> draws(Daemons daemons) throws Exception {
        List<Integer> tasks = IntStream.range(0, 100).boxed().toList();
        return daemons.map(tasks, x -> {
                    Thread.sleep(5); // long enough that the tasks spread over the daemons
                    return DaemonContext.random().longs(100).boxed().toList();
                })
                .collect(MapOptions.defaults().stopOnError(true).flatten(true), WAIT);
    }

    @Test
    @Order(1)
    void shouldDrawTheSameSeededNumbersOnOneAndOnFourDaemons() throws Exception {
        Status before = four.status();
        List<Object> onFour = draws(four);
        Status after = four.status();
        long used = IntStream.range(0, 4)
                .filter(i -> after.daemons().get(i).complete()
                        > before.daemons().get(i).complete())
                .count();
        assertThat(used).as("daemons that ran some of the tasks").isGreaterThan(1);

        List<Object> onOne;
        try (Daemons one = Daemons.builder().local(1).seed(SEED).start()) {
            onOne = draws(one);
        }
        assertThat(onFour).hasSize(10_000);
        assertThat(onOne).isEqualTo(onFour);
        assertThat(new HashSet<>(onFour)).as("distinct streams, no repeats").hasSize(10_000);
    }

    @Test
    @Order(2)
    void shouldRunEverywhereExactlyOnceOnEachOfFourDaemonsAndKeepWhatItStores() throws Exception {
        String runs = dir.resolve("everywhere-runs").toString();
        List<Mirai<Long>> setups = four.everywhere(() -> {
            long pid = ProcessHandle.current().pid();
            Probes.append(runs, Long.toString(pid));
            DaemonContext.put("setup-pid", pid);
            System.setProperty("jmirai.test.setup", "kept");
            return pid;
        });
        assertThat(setups).hasSize(4);
        List<Object> pids = Mirai.collect(setups, WAIT);
        assertThat(new HashSet<>(pids)).hasSize(4);
        assertThat(Files.readAllLines(Path.of(runs))).hasSize(4).doesNotHaveDuplicates();

        List<Integer> tasks = IntStream.range(0, 24).boxed().toList();
        List<Boolean> sawSetup = four.map(tasks, x -> {
                    Thread.sleep(10);
                    return DaemonContext.<Long>get("setup-pid")
                                    == ProcessHandle.current().pid()
                            && "kept".equals(System.getProperty("jmirai.test.setup"));
                })
                .values(WAIT);
        assertThat(sawSetup).containsOnly(true);
        assertThat(Files.readAllLines(Path.of(runs)))
                .as("setups are not run again")
                .hasSize(4);
    }

    @Test
    @Order(3)
    void shouldCleanTaskScopedStateAfterEachTask() throws Exception {
        List<Integer> tasks = IntStream.range(0, 12).boxed().toList();
        List<Boolean> leftovers = four.map(tasks, x -> {
                    boolean seen = DaemonContext.contains("scratch") || System.getProperty("jmirai.scratch") != null;
                    DaemonContext.put("scratch", x);
                    System.setProperty("jmirai.scratch", "x");
                    Thread.sleep(10);
                    return seen;
                })
                .values(WAIT);
        assertThat(leftovers).as("a task saw what an earlier task left").containsOnly(false);
        assertThat(four.mirai(() -> DaemonContext.keys()).get(WAIT)).doesNotContain("scratch");
    }

    @Test
    @Order(4)
    void shouldWaitForAMinimumNumberOfDaemons() {
        assertThatThrownBy(() -> four.everywhere(() -> 1, 5, Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fewer than 5 daemons connected within PT0.3S")
                .hasMessageContaining("connections=4");
        assertThat(four.everywhere(() -> 1, 4, WAIT)).hasSize(4);
    }

    @Test
    @Order(5)
    void shouldRunEarlierSetupsOnADaemonThatConnectsLater() throws Exception {
        String runs = dir.resolve("everywhere-runs").toString();
        four.launchLocal(1);
        await().atMost(WAIT).until(() -> Probes.lines(Path.of(runs)).size() == 5);
        List<Integer> tasks = IntStream.range(0, 30).boxed().toList();
        List<Boolean> sawSetup = four.map(tasks, x -> {
                    Thread.sleep(10);
                    return DaemonContext.<Long>get("setup-pid")
                            == ProcessHandle.current().pid();
                })
                .values(WAIT);
        assertThat(sawSetup).containsOnly(true);
        Status s = four.status();
        assertThat(s.connections()).isEqualTo(5);
        assertThat(s.awaiting() + s.executing()).isZero();
        List<Long> fromSetups = new ArrayList<>();
        for (String line : Probes.lines(Path.of(runs))) {
            fromSetups.add(Long.parseLong(line));
        }
        assertThat(fromSetups).doesNotHaveDuplicates();
    }
}
