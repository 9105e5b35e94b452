package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.Values.Account;
import io.jmirai.Values.AuditException;
import io.jmirai.Values.Point;
import io.jmirai.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Round trips through two real daemon JVMs on loopback, shared by the tests of this class. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Daemons daemons;

    @BeforeAll
    static void start() {
        daemons = Daemons.local(2);
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @Test
    void shouldRoundTripValuesAndCapturedArguments() throws Exception {
        int n = 10;
        String greeting = "hello";
        assertThat(daemons.mirai(() -> n * 4 + 2).get(WAIT)).isEqualTo(42);
        assertThat(daemons.mirai(() -> greeting + ", daemon").get(WAIT)).isEqualTo("hello, daemon");
        assertThat(daemons.mirai(() -> Math.sqrt(2)).get(WAIT)).isEqualTo(Math.sqrt(2));
        assertThat(daemons.mirai(() -> null).get(WAIT)).isNull();
        assertThat(daemons.mirai(() -> Long.MAX_VALUE).get(WAIT)).isEqualTo(Long.MAX_VALUE);
        String big = "x".repeat(3_000_000);
        assertThat(daemons.mirai(() -> big.length()).get(WAIT)).isEqualTo(3_000_000);
    }

    @Test
    void shouldRoundTripUserClassesRecordsCollectionsAndArrays() throws Exception {
        Point p = new Point(3, 4);
        assertThat(daemons.mirai(() -> p.scaled(2)).get(WAIT)).isEqualTo(new Point(6, 8));
        Account a = new Account("ada", 100, p);
        assertThat(daemons.mirai(() -> a.deposit(50)).get(WAIT)).isEqualTo(new Account("ada", 150, p));
        List<Point> points = List.of(new Point(1, 1), new Point(2, 2));
        assertThat(daemons.mirai(() -> new ArrayList<>(points)).get(WAIT)).containsExactlyElementsOf(points);
        Map<String, List<Integer>> map = new TreeMap<>(Map.of("a", List.of(1, 2), "b", List.of()));
        assertThat(daemons.mirai(() -> map).get(WAIT)).isEqualTo(map);
        Set<String> set = new HashSet<>(Set.of("x", "y"));
        assertThat(daemons.mirai(() -> set).get(WAIT)).isEqualTo(set);
        double[] doubles = {1.5, -2.5, Double.NaN};
        assertThat(daemons.mirai(() -> Arrays.stream(doubles).map(d -> d * 2).toArray())
                        .get(WAIT))
                .containsExactly(3.0, -5.0, Double.NaN);
        Point[][] grid = {{new Point(0, 0)}, {new Point(1, 0), new Point(1, 1)}};
        assertThat(daemons.mirai(() -> grid).get(WAIT)).isDeepEqualTo(grid);
        byte[] bytes = new byte[1 << 20];
        Arrays.fill(bytes, (byte) 7);
        assertThat(daemons.mirai(() -> bytes).get(WAIT)).isEqualTo(bytes);
    }

    @Test
    void shouldRunTasksThatCaptureOtherLambdas() throws Exception {
        Task<Integer> inner = () -> 21;
        assertThat(daemons.mirai(() -> inner.call() * 2).get(WAIT)).isEqualTo(42);
    }

    @Test
    void shouldRunAThousandTasksOverTwoDaemonsAllCorrect() throws Exception {
        Status before = daemons.status();
        List<Mirai<Long>> ms = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long k = i;
            ms.add(daemons.mirai(() -> k * k));
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(ms.get(i).get(WAIT)).as("task %d", i).isEqualTo((long) i * i);
        }
        Status after = daemons.status();
        assertThat(after.completed() - before.completed()).isEqualTo(1000);
        for (int i = 0; i < 2; i++) {
            assertThat(after.daemons().get(i).complete()
                            - before.daemons().get(i).complete())
                    .as("daemon %s took part", after.daemons().get(i).id())
                    .isPositive();
        }
    }

    @Test
    void shouldReportRemoteErrorWithClassMessageStackTraceAndCauses() throws Exception {
        Mirai<Object> m = daemons.mirai(() -> {
            throw new AuditException("books do not balance", new ArithmeticException("off by 1"));
        });
        assertThatThrownBy(() -> m.get(WAIT))
                .isInstanceOf(MiraiException.class)
                .hasMessageContaining("books do not balance")
                .hasCauseInstanceOf(MiraiError.RemoteException.class);
        MiraiError e = (MiraiError) m.data();
        assertThat(e.code()).isEqualTo(ErrorValue.TASK_ERROR);
        assertThat(e.className()).isEqualTo(AuditException.class.getName());
        assertThat(e.exceptionMessage()).isEqualTo("books do not balance");
        assertThat(e.stackTrace()).anySatisfy(f -> assertThat(f.getClassName()).isEqualTo(DaemonsTest.class.getName()));
        assertThat(e.stackTrace()).anySatisfy(f -> assertThat(f.getClassName()).startsWith("io.jmirai.daemon."));
        assertThat(e.cause().className()).isEqualTo("java.lang.ArithmeticException");
        assertThat(e.cause().exceptionMessage()).isEqualTo("off by 1");
        assertThat(e.stackTraceText()).contains("Caused by: java.lang.ArithmeticException: off by 1");
        MiraiException thrown = (MiraiException) org.assertj.core.api.Assertions.catchThrowable(() -> m.get(WAIT));
        assertThat(thrown.getCause().getStackTrace()).isEqualTo(e.stackTrace().toArray(StackTraceElement[]::new));
        assertThat(thrown.getCause().getCause()).hasMessage("java.lang.ArithmeticException: off by 1");
    }

    @Test
    void shouldKeepWorkingAfterATaskThrowsAnError() throws Exception {
        Mirai<Object> m = daemons.mirai(() -> {
            throw new StackOverflowError("deep");
        });
        assertThat(((MiraiError) awaitData(m)).className()).isEqualTo("java.lang.StackOverflowError");
        assertThat(daemons.mirai(() -> "still here").get(WAIT)).isEqualTo("still here");
    }

    @Test
    void shouldExposeUnresolvedStateAndNeverBlockInData() throws Exception {
        Mirai<String> m = daemons.mirai(() -> {
            Thread.sleep(1000);
            return "late";
        });
        assertThat(m.isUnresolved()).isTrue();
        assertThat(m.data()).isSameAs(Mirai.UNRESOLVED);
        assertThatThrownBy(() -> m.get(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
        CompletableFuture<String> f = m.toCompletableFuture();
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("late");
        assertThat(m.isUnresolved()).isFalse();
        assertThat(m.data()).isEqualTo("late");
        assertThat(m.get()).isEqualTo("late");
    }

    @Test
    void shouldCompleteTheCompletableFutureExceptionallyForErrors() {
        Mirai<Integer> m = daemons.mirai(() -> 1 / (int) Math.floor(0.5));
        assertThatThrownBy(() -> m.toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(MiraiException.class)
                .hasMessageContaining("java.lang.ArithmeticException: / by zero");
    }

    @Test
    void shouldRejectATaskThatCannotBeSerialized() {
        Thread notSerializable = new Thread();
        Supplier<String> plain = () -> "not a Task";
        assertThatThrownBy(() -> daemons.mirai(() -> plain.get()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task could not be serialized")
                .hasMessageContaining("lambda is not serializable");
        assertThat(notSerializable.isAlive()).isFalse();
    }

    @Test
    void shouldResolveToAnErrorWhenTheValueCannotBeSerialized() throws Exception {
        Mirai<Object> m = daemons.mirai(() -> (Supplier<String>) () -> "plain lambda");
        Object d = awaitData(m);
        assertThat(d).isInstanceOf(MiraiError.class);
        assertThat(((MiraiError) d).message()).contains("lambda is not serializable");
    }

    @Test
    void shouldRejectTasksAfterClose() {
        Daemons closed = Daemons.builder().start();
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.mirai(() -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("daemons are closed");
    }

    static Object awaitData(Mirai<?> m) throws Exception {
        try {
            m.get(WAIT);
        } catch (MiraiException e) {
            // the error value is the data
        }
        return m.data();
    }
}
