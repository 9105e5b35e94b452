package io.jmirai.benchmarks;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The prefetch window in the fresh regime, measured as {@code SessionBenchmark}'s no-op section (bench.R's method):
 * per repetition, new {@code Daemons.local(2)}, 500 no-op warm-up tasks, then {@code N_NOOP} (20,000) no-op tasks
 * submitted and all awaited. Windows ({@code PREFETCH}, default {@code 1,2,4,16}) alternate within each of {@code RUNS}
 * rounds, so a change in the machine's load hits each alike. Prints {@code noop_throughput_prefetchW value tasks/s}
 * (the median over the rounds) and each repetition on stderr.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.jmirai.benchmarks.PrefetchSession</pre>
 */
public final class PrefetchSession {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private PrefetchSession() {}

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        int n = Integer.parseInt(System.getenv().getOrDefault("N_NOOP", "20000"));
        int[] windows = Arrays.stream(
                        System.getenv().getOrDefault("PREFETCH", "1,2,4,16").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip()))
                .toArray();
        double[][] rates = new double[windows.length][runs];
        for (int r = 0; r < runs; r++) {
            for (int w = 0; w < windows.length; w++) {
                rates[w][r] = once(windows[w], n);
                System.err.printf("# rep%d noop_throughput_prefetch%d %.0f tasks/s%n", r + 1, windows[w], rates[w][r]);
            }
        }
        for (int w = 0; w < windows.length; w++) {
            double[] v = rates[w].clone();
            Arrays.sort(v);
            System.out.printf("noop_throughput_prefetch%d %.0f tasks/s%n", windows[w], v[v.length / 2]);
        }
    }

    private static double once(int prefetch, int n) throws Exception {
        try (Daemons daemons = Daemons.builder().local(2).prefetch(prefetch).start()) {
            batch(daemons, 500);
            long t0 = System.nanoTime();
            batch(daemons, n);
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void batch(Daemons daemons, int n) throws Exception {
        List<Mirai<Object>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(daemons.mirai(() -> null));
        }
        for (Mirai<Object> m : all) {
            m.get(WAIT);
        }
    }
}
