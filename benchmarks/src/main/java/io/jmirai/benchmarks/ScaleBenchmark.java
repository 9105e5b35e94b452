package io.jmirai.benchmarks;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.launch.LaunchConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scale curve (issue 10, item 5): one dispatcher with many connected daemons ({@link FakeDaemonFleet}: real
 * connections and handshakes, daemons that answer at once, in this JVM) and up to 1,000,000 queued no-op tasks. For
 * each daemon count D and queue depth Q: the fleet holds, Q tasks are submitted (D go out, Q - D stay queued), then the
 * fleet lets go and every result is awaited. Prints {@code name value unit} lines:
 *
 * <ul>
 *   <li>{@code scale_submit_d{D}_q{Q}} µs per task to submit (serialize, admit, enqueue) with the queue growing to Q;
 *   <li>{@code scale_drain_d{D}_q{Q}} µs per task from the release until the user has every result: the
 *       dispatcher's cost per task with Q queued (a flat curve over Q means no per-task cost grows with the queue);
 *   <li>{@code scale_heap_per_queued_task_d{D}_q{Q}} bytes of heap per queued task (after a GC, queue full).
 * </ul>
 *
 * {@code DAEMONS=1000} (comma-separated counts), {@code QUEUED=1000,10000,100000,1000000}. Run: {@code java -Xmx4g -cp
 * benchmarks/target/benchmarks.jar io.jmirai.benchmarks.ScaleBenchmark}. Single-threaded driver.
 */
public final class ScaleBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final int WARM_UP = 50_000;

    private ScaleBenchmark() {}

    /**
     * Runs the curve.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        List<Integer> daemonCounts = ints(System.getenv().getOrDefault("DAEMONS", "1000"));
        List<Integer> depths = ints(System.getenv().getOrDefault("QUEUED", "1000,10000,100000,1000000"));
        out("cpu_cores", Runtime.getRuntime().availableProcessors(), "cores");
        out("max_heap", Runtime.getRuntime().maxMemory() >> 20, "MiB");
        for (int d : daemonCounts) {
            curve(d, depths);
        }
        System.exit(0);
    }

    private static void curve(int d, List<Integer> depths) throws Exception {
        try (Daemons daemons = Daemons.builder()
                        .maxUnauthenticated(d)
                        .heartbeat(Duration.ZERO) // held daemons stay silent for as long as a 1M-task submit takes
                        .start();
                FakeDaemonFleet fleet = new FakeDaemonFleet()) {
            String secret =
                    daemons.launchRemote(1, LaunchConfig.manual()).get(0).secretLine();
            long c0 = System.nanoTime();
            fleet.connect(daemons.url(), secret, d, TIMEOUT);
            out("scale_connect_d" + d, (System.nanoTime() - c0) / 1e6, "ms");
            round(daemons, fleet, d, WARM_UP, false); // JIT warm-up of the whole path, not reported
            for (int q : depths) {
                round(daemons, fleet, d, q, true);
            }
        }
    }

    private static void round(Daemons daemons, FakeDaemonFleet fleet, int d, int q, boolean report) throws Exception {
        long heap0 = report ? usedHeapAfterGc() : 0;
        fleet.hold();
        List<Mirai<Object>> ms = new ArrayList<>(q);
        long t0 = System.nanoTime();
        for (int i = 0; i < q; i++) {
            ms.add(daemons.mirai(() -> null));
        }
        long t1 = System.nanoTime();
        long heap = report ? usedHeapAfterGc() - heap0 : 0;
        long t2 = System.nanoTime();
        fleet.release();
        for (Mirai<Object> m : ms) {
            if (m.get(TIMEOUT) != null) {
                throw new IllegalStateException("a no-op returned a value: " + m);
            }
        }
        long t3 = System.nanoTime();
        if (report) {
            String tag = "_d" + d + "_q" + q;
            out("scale_submit" + tag, (t1 - t0) / 1e3 / q, "us");
            out("scale_drain" + tag, (t3 - t2) / 1e3 / q, "us");
            out("scale_drain_rate" + tag, q / ((t3 - t2) / 1e9), "tasks/s");
            out("scale_heap_per_queued_task" + tag, (double) heap / q, "bytes");
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void out(String name, long value, String unit) {
        System.out.println(name + " " + value + " " + unit);
        System.out.flush();
    }

    private static void out(String name, double value, String unit) {
        System.out.println(name + " " + SessionFigures.fmt(value) + " " + unit);
        System.out.flush();
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.strip().toLowerCase(Locale.ROOT).replace("_", "")));
        }
        return out;
    }
}
