package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code map}, {@code race} and {@code collect} on two real daemons shared by the tests of this class. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class MapTest {
    private static Daemons daemons;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        daemons = Daemons.local(2);
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @Test
    void shouldMapOverAListAnArrayAMapAndAStreamInInputOrder() throws Exception {
        List<Integer> list = IntStream.range(0, 20).boxed().toList();
        assertThat(daemons.map(list, x -> x * x).collect(MapOptions.defaults(), WAIT))
                .containsExactlyElementsOf(
                        list.stream().map(x -> (Object) (x * x)).toList());
        String[] words = {"a", "bb", "ccc"};
        assertThat(daemons.map(words, String::length).values(WAIT)).containsExactly(1, 2, 3);
        Map<String, Integer> prices = new LinkedHashMap<>();
        prices.put("pear", 3);
        prices.put("apple", 2);
        prices.put("fig", 5);
        MiraiMap<Integer> doubled = daemons.map(prices, p -> p * 2);
        assertThat(doubled.keys()).isEqualTo(List.of("pear", "apple", "fig"));
        Map<String, Object> byKey = doubled.collectMap(MapOptions.defaults(), WAIT);
        assertThat(byKey).containsExactly(Map.entry("pear", 6), Map.entry("apple", 4), Map.entry("fig", 10));
        assertThat(daemons.map(Stream.of(1.0, 4.0, 9.0), Math::sqrt).values(WAIT))
                .containsExactly(1.0, 2.0, 3.0);
        assertThat(daemons.map(List.<Integer>of(), x -> x).collect()).isEmpty();
    }

    @Test
    void shouldPassExtraArgumentsToEveryElement() throws Exception {
        MiraiMap<String> m = daemons.map(List.of(1, 2, 3), (x, args) -> args[0] + ":" + x * (int) args[1], "k", 10);
        assertThat(m.values(WAIT)).containsExactly("k:10", "k:20", "k:30");
        Map<String, Integer> in = Map.of("only", 4);
        assertThat(daemons.map(in, (x, args) -> x + args.length).collectMap(MapOptions.defaults(), WAIT))
                .containsExactly(Map.entry("only", 4));
    }

    @Test
    void shouldKeepErrorsInPlace() throws Exception {
        List<Object> out = daemons.map(List.of(4, 0, 2), x -> 8 / x).collect(MapOptions.defaults(), WAIT);
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isEqualTo(2);
        assertThat(out.get(1))
                .isInstanceOfSatisfying(
                        MiraiError.class, e -> assertThat(e.className()).isEqualTo("java.lang.ArithmeticException"));
        assertThat(out.get(2)).isEqualTo(4);
    }

    @Test
    void shouldFlattenCollectionsAndArrays() throws Exception {
        List<Object> flat = daemons.map(List.of(1, 2, 3), x -> x == 2 ? new int[] {20, 21} : List.of(x, x))
                .collect(MapOptions.defaults().flatten(true), WAIT);
        assertThat(flat).containsExactly(1, 1, 20, 21, 3, 3);
    }

    @Test
    void shouldReportProgressToTheCallback() throws Exception {
        List<int[]> calls = new CopyOnWriteArrayList<>();
        daemons.map(List.of(1, 2, 3, 4, 5), x -> x)
                .collect(
                        MapOptions.defaults()
                                .progress(true)
                                .progress((done, total) -> calls.add(new int[] {done, total})),
                        WAIT);
        assertThat(calls).extracting(c -> c[0]).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(calls).extracting(c -> c[1]).containsOnly(5);
    }

    @Test
    void shouldStopAtTheFirstErrorCancelTheRestAndNameTheIndex() throws Exception {
        String effects = dir.resolve("effects").toString();
        List<Integer> items = IntStream.range(0, 8).boxed().toList();
        MiraiMap<Integer> m = daemons.map(
                items,
                (x, args) -> {
                    if (x == 2) {
                        throw new IllegalStateException("element two fails");
                    }
                    Thread.sleep(x < 2 ? 100 : 3_000);
                    if (x >= 2) {
                        Probes.append((String) args[0], Integer.toString(x));
                    }
                    return x;
                },
                effects);
        MiraiMapException e = catchThrowableOfType(
                MiraiMapException.class, () -> m.collect(MapOptions.defaults().stopOnError(true), WAIT));
        assertThat(e.index()).isEqualTo(2);
        assertThat(e.code()).isEqualTo(ErrorValue.TASK_ERROR);
        assertThat(e).hasMessageContaining("map stopped at index 2").hasMessageContaining("element two fails");
        assertThat(m.isUnresolved()).isFalse();
        for (int i = 3; i < 8; i++) {
            assertThat(((ErrorValue) m.mirais().get(i).data()).code())
                    .as("element %d", i)
                    .isEqualTo(ErrorValue.CANCELED);
        }
        Probes.awaitDaemonsAnswered(daemons);
        assertThat(Files.exists(Path.of(effects)))
                .as("no cancelled element got past its sleep")
                .isFalse();
    }

    @Test
    void shouldLeaveThePoolWholeAfter25RoundsOfAFailingMap() throws Exception {
        Status before = daemons.status();
        for (int round = 0; round < 25; round++) {
            int failing = round % 6;
            MiraiMap<Integer> m = daemons.map(
                    List.of(0, 1, 2, 3, 4, 5),
                    (x, args) -> {
                        if (x == (int) args[0]) {
                            throw new IllegalArgumentException("round fails at " + x);
                        }
                        Thread.sleep(50);
                        return x;
                    },
                    failing);
            MiraiMapException e = catchThrowableOfType(
                    MiraiMapException.class,
                    () -> m.collect(MapOptions.defaults().stopOnError(true), WAIT));
            assertThat(e).as("round %d", round).isNotNull();
            assertThat(m.isUnresolved()).isFalse();
        }
        Probes.awaitDaemonsAnswered(daemons);
        Status after = daemons.status();
        assertThat(after.connections()).isEqualTo(2);
        assertThat(after.cumulative()).isEqualTo(before.cumulative());
        assertThat(after.daemons()).allSatisfy(d -> assertThat(d.instance()).isEqualTo(1));
        assertThat(after.awaiting()).isZero();
        assertThat(after.executing()).isZero();

        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        List<Long> pids = daemons.map(items, x -> {
                    Thread.sleep(100);
                    return ProcessHandle.current().pid();
                })
                .values(WAIT);
        assertThat(pids).hasSize(10);
        assertThat(new java.util.HashSet<>(pids)).as("both daemons still work").hasSize(2);
    }

    @Test
    void shouldRaceToTheFirstResolvedAndCollectAllWithErrorsInPlace() throws Exception {
        Mirai<String> slow = daemons.mirai(() -> {
            Thread.sleep(5_000);
            return "slow";
        });
        Mirai<String> fast = daemons.mirai(() -> "fast");
        assertThat(Mirai.race(List.of(slow, fast), WAIT)).isEqualTo(1);
        assertThat(slow.stop()).isTrue();
        assertThat(Mirai.race(List.of(slow, fast))).isIn(0, 1);

        List<Mirai<?>> ms = new ArrayList<>();
        ms.add(daemons.mirai(() -> 1));
        ms.add(daemons.mirai(() -> Integer.parseInt("x")));
        ms.add(daemons.mirai(() -> "three"));
        List<Object> all = Mirai.collect(ms, WAIT);
        assertThat(all.get(0)).isEqualTo(1);
        assertThat(all.get(1)).isInstanceOf(MiraiError.class);
        assertThat(all.get(2)).isEqualTo("three");
        assertThat(Mirai.collect(ms)).isEqualTo(all);
        assertThatThrownBy(() -> Mirai.race(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAnElementThatCannotBeSerializedAndStopTheOthers() {
        List<Object> items = new ArrayList<>(List.of(1, 2));
        items.add(new Thread[] {new Thread()});
        assertThatThrownBy(() -> daemons.map(items, x -> x.hashCode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("map element 2");
    }
}
