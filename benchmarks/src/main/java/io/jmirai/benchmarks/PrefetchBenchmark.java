package io.jmirai.benchmarks;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The dispatcher's prefetch window ({@code Daemons.Builder.prefetch}) in the warm regime: 20,000 no-op tasks over two
 * local daemons, submitted at once and then awaited, and a sequential round trip, for each window. Same pattern as
 * {@link MiraiBenchmark}, one parameter more.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class PrefetchBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Tasks a daemon may hold at once. */
    @Param({"1", "2", "4", "16"})
    public int prefetch;

    private Daemons daemons;

    /** Starts the dispatcher and two local daemons. */
    @Setup(Level.Trial)
    public void setUp() {
        daemons = Daemons.builder().local(2).prefetch(prefetch).start();
    }

    /** Stops the daemons. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (daemons != null) {
            daemons.close();
        }
    }

    /** 20,000 no-op tasks submitted at once, then all awaited; ops/s is tasks/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(MiraiBenchmark.TASKS)
    public void throughput20kNoops(Blackhole bh) throws Exception {
        List<Mirai<Object>> all = new ArrayList<>(MiraiBenchmark.TASKS);
        for (int i = 0; i < MiraiBenchmark.TASKS; i++) {
            all.add(daemons.mirai(() -> null));
        }
        for (Mirai<Object> m : all) {
            bh.consume(m.get(TIMEOUT));
        }
    }
}
