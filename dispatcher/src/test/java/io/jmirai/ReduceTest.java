package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link MiraiMap#reduce} on the host and {@link Daemons#mapReduce} on the daemons. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ReduceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void shouldReduceOnTheHostAsResultsResolveAndOnTheDaemonsByChunks() throws Exception {
        try (Daemons daemons = Daemons.local(2)) {
            assertThat(daemons.map(range(1, 100), x -> (long) x).reduce(0L, Long::sum))
                    .isEqualTo(5050L);
            assertThat(daemons.map(List.<Integer>of(), x -> (long) x).reduce(0L, Long::sum, WAIT))
                    .isZero();

            MiraiMap<Integer> failing = daemons.map(range(1, 5), x -> {
                if (x == 3) {
                    throw new IllegalStateException("three");
                }
                return x;
            });
            assertThatThrownBy(() -> failing.reduce(0, Integer::sum))
                    .isInstanceOf(MiraiMapException.class)
                    .hasMessageContaining("index 2");

            // on the daemons: chunks reduced there, partials combined here
            long expected = range(1, 1000).stream().mapToLong(x -> (long) x * x).sum();
            assertThat(daemons.mapReduce(range(1, 1000), x -> (long) x * x, 0L, Long::sum, MapOptions.defaults()))
                    .isEqualTo(expected);
            List<int[]> progress = new ArrayList<>();
            assertThat(daemons.mapReduce(
                            range(1, 10),
                            x -> List.of(x),
                            List.<Integer>of(),
                            (a, b) -> {
                                List<Integer> out = new ArrayList<>(a);
                                out.addAll(b);
                                return out;
                            },
                            MapOptions.defaults()
                                    .chunks(4)
                                    .progress((done, total) -> progress.add(new int[] {done, total}))))
                    .as("chunks combine in order: an associative, non-commutative op works")
                    .isEqualTo(range(1, 10));
            assertThat(progress).hasSize(4).last().satisfies(p -> assertThat(p).containsExactly(4, 4));
            assertThat(daemons.mapReduce(List.<Integer>of(), x -> x, 0, Integer::sum, MapOptions.defaults()))
                    .isZero();
            assertThatThrownBy(() -> daemons.mapReduce(
                            range(1, 8),
                            x -> {
                                if (x == 6) {
                                    throw new IllegalArgumentException("six");
                                }
                                return x;
                            },
                            0,
                            Integer::sum,
                            MapOptions.defaults().chunks(2)))
                    .isInstanceOf(MiraiMapException.class)
                    .hasMessageContaining("index 4");
        }
    }

    @Test
    void shouldRerunTheChunkOfADaemonKilledMidChunkAndCountItOnce() throws Exception {
        Path marker = dir.resolve("victim-pid");
        String markerPath = marker.toString();
        try (Daemons daemons = Daemons.local(2)) {
            Thread killer = new Thread(() -> {
                await().atMost(WAIT).until(() -> Files.exists(marker) && Files.size(marker) > 0);
                try {
                    long pid = Long.parseLong(Files.readString(marker).strip());
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, mid-chunk
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            killer.start();
            // {count, sum}: a chunk counted twice, or lost, shows in both
            long[] r = daemons.mapReduce(
                    range(1, 200),
                    x -> {
                        Path m = Path.of(markerPath);
                        if (x == 150 && !Files.exists(m)) { // the first run of that chunk: its daemon dies here
                            Path tmp = Files.createTempFile(m.getParent(), "pid", "");
                            Files.writeString(
                                    tmp, Long.toString(ProcessHandle.current().pid()));
                            Files.move(tmp, m);
                            Thread.sleep(60_000);
                        }
                        return new long[] {1, x};
                    },
                    new long[] {0, 0},
                    (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]},
                    MapOptions.defaults().chunks(4));
            killer.join(WAIT.toMillis());
            assertThat(r).containsExactly(200, 200L * 201 / 2);
            assertThat(daemons.status().connections())
                    .as("one daemon was killed")
                    .isEqualTo(1);
        }
    }
}
