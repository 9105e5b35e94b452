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
 * The same no-op round trip and 20,000-task throughput as {@link MiraiBenchmark}, over each scheme: plain tcp is
 * the baseline for tls+tcp, ws and wss in the same run (TLS with the zero-config single-use certificate).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 8, time = 2) // each trial starts new daemon JVMs, whose JIT warms up too
@Measurement(iterations = 4, time = 2)
public class SchemeBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Param({"tcp", "tls+tcp", "ws", "wss"})
    public String scheme;

    private Daemons daemons;

    /** Starts a dispatcher listening at the scheme, and two local daemons. */
    @Setup(Level.Trial)
    public void setUp() {
        daemons = Daemons.builder().url(scheme + "://127.0.0.1:0").local(2).start();
    }

    /** Stops the daemons. */
    @TearDown(Level.Trial)
    public void tearDown() {
        daemons.close();
    }

    /** Sequential round trip of a no-op task. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object roundTrip() throws Exception {
        return daemons.mirai(() -> null).get(TIMEOUT);
    }

    /** 20,000 no-op tasks at once over 2 daemons; ops/s is tasks/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(MiraiBenchmark.TASKS)
    public void throughput(Blackhole bh) throws Exception {
        List<Mirai<Object>> all = new ArrayList<>(MiraiBenchmark.TASKS);
        for (int i = 0; i < MiraiBenchmark.TASKS; i++) {
            all.add(daemons.mirai(() -> null));
        }
        for (Mirai<Object> m : all) {
            bh.consume(m.get(TIMEOUT));
        }
    }
}
