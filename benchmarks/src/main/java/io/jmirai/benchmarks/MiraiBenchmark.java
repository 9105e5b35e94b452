package io.jmirai.benchmarks;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.Status;
import io.jmirai.launch.LocalLauncher;
import io.jmirai.transport.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * jmirai end to end through its public API: {@code Daemons.local(2)} (a dispatcher in this JVM, two daemon JVMs on
 * loopback, default options), tasks submitted with {@code daemons.mirai(task)} and awaited with {@code get(timeout)}.
 * Compare with {@link EchoFloorBenchmark}, the same message pattern over plain Netty.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class MiraiBenchmark {
    static final int TASKS = 20_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * The daemons' JVM options: {@code default} for jmirai's default launcher, else the options themselves (space
     * separated, {@code none} for none), given to {@code new LocalLauncher().withJvmArgs(…)}.
     */
    @Param({"default"})
    public String daemonJvm;

    private Daemons daemons;
    private byte[] payload;

    /** Starts the dispatcher and two local daemons. */
    @Setup(Level.Trial)
    public void setUp() {
        System.out.println("# transport: " + (Transports.isNative() ? "epoll" : "nio"));
        payload = new byte[EchoFloorBenchmark.LARGE_BYTES];
        new Random(42).nextBytes(payload);
        LocalLauncher launcher = new LocalLauncher();
        if (!daemonJvm.equals("default")) {
            launcher = launcher.withJvmArgs(
                    daemonJvm.equals("none")
                            ? List.of()
                            : List.of(daemonJvm.strip().split("\\s+")));
        }
        System.out.println("# daemon JVM options: " + launcher.jvmArgs() + ", archive: " + launcher.cdsArchive());
        daemons = Daemons.builder().launcher(launcher).local(2).start();
    }

    /** Stops the daemons. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (daemons != null) {
            Status status = daemons.status();
            StringBuilder line = new StringBuilder("# tasks completed per daemon:");
            for (Status.DaemonStatus d : status.daemons()) {
                line.append(' ').append(d.id()).append('=').append(d.complete());
            }
            System.out.println(line);
            daemons.close();
        }
    }

    /** (a) Sequential round trip of a no-op task; sampled, so JMH reports percentiles. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object roundTripNoop() throws Exception {
        return daemons.mirai(() -> null).get(TIMEOUT);
    }

    /** (b) 20,000 no-op tasks submitted at once, then all awaited; an operation is one task, so ops/s is tasks/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(TASKS)
    public void throughput20kNoops(Blackhole bh) throws Exception {
        List<Mirai<Object>> all = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            all.add(daemons.mirai(() -> null));
        }
        for (Mirai<Object> m : all) {
            bh.consume(m.get(TIMEOUT));
        }
    }

    /**
     * (c) A task capturing 1 MiB and returning it, one at a time. An operation is one MiB moved (out and back: 2 per
     * invocation), so the score in ops/s is MiB/s.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(2)
    @Warmup(iterations = 10, time = 2) // the jmirai echo still sped up after 6 warm-up seconds; same for the floor
    public byte[] echo1MiB() throws Exception {
        byte[] b = payload;
        byte[] back = daemons.mirai(() -> b).get(TIMEOUT);
        if (back.length != b.length) {
            throw new IllegalStateException("echo length: " + back.length + " (expected: " + b.length + ")");
        }
        return back;
    }
}
