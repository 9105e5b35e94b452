package io.jmirai.benchmarks;

import io.jmirai.Daemons;
import io.jmirai.tls.SingleUseCertificate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Costs of starting: generating the single-use certificate, and the time from {@code Daemons} start to a connected,
 * authenticated daemon, with zero-config TLS against plain tcp in the same run (the difference is what TLS adds; the
 * rest is the daemon JVM's own start-up).
 */
@State(Scope.Benchmark)
@Fork(1)
public class StartupBenchmark {
    @Param({"tcp", "tls+tcp", "wss"})
    public String scheme;

    /** EC P-256 key pair plus a self-signed X.509 certificate. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 2)
    public SingleUseCertificate certificate() {
        return SingleUseCertificate.generate("127.0.0.1");
    }

    /** Dispatcher (and certificate) without daemons: start and close. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    public String dispatcherOnly() {
        try (Daemons d = Daemons.builder().url(scheme + "://127.0.0.1:0").start()) {
            return d.url();
        }
    }

    /** Dispatcher plus one local daemon JVM, until it is connected and authenticated (then closed). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 8)
    public String startToReady() {
        try (Daemons d =
                Daemons.builder().url(scheme + "://127.0.0.1:0").local(1).start()) {
            return d.url();
        }
    }
}
