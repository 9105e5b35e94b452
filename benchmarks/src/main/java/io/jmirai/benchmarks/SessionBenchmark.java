package io.jmirai.benchmarks;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.api.Task;
import io.jmirai.launch.LocalLauncher;
import io.jmirai.transport.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * jmirai measured exactly as {@code ../shared/anchors/mirai/bench.R} measures mirai: a fresh session (this JVM
 * starts cold), new daemon processes in every repetition, 500 no-op warm-up tasks before each timed section, the
 * same batch sizes, the same figure names and units, printed the same way ({@code name value unit} on stdout,
 * medians over {@code RUNS} repetitions; raw values on stderr). The environment variables of bench.R apply: {@code
 * RUNS}, {@code N_NOOP}, {@code N_LAT}, {@code N_MAP}, {@code N_PAY}, {@code PAY_BYTES}, {@code N_WARM}, {@code
 * SECTION_LIMIT_S}, {@code QUIET_BUSY}, {@code QUIET_MAX_WAIT_S}, {@code SECTION_QUIET_MAX_WAIT_S}. Extra figures
 * (a fresh plain-Netty floor) start with {@code floor_}; {@code FLOOR=0} skips them. For experiments: {@code
 * SECTIONS=memory,noop_disp,…} runs only the sections named (bench.R's labels: {@code memory startup_disp noop_disp
 * map_disp payload_disp startup_direct noop_direct map_direct payload_direct
 * noop_throughput_daemons2_dispatcher_cleanupFALSE noop_throughput_daemons2_nodispatcher_cleanupFALSE
 * latency_dispatcher latency_nodispatcher tls_dispatcher tls_nodispatcher tcp_dispatcher tcp_nodispatcher floor}),
 * and {@code DAEMON_JVM_ARGS="-XX:… -X…"} launches the local daemons with these JVM options instead of jmirai's
 * defaults ({@code DAEMON_JVM_ARGS=none}: none; the class-data-sharing archive is used either way unless this JVM
 * runs with {@code -Djmirai.launch.cds=false}), and {@code PREFETCH=w} gives every session the prefetch window {@code
 * w} instead of jmirai's default ({@code Daemons.Builder#prefetch}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.jmirai.benchmarks.SessionBenchmark
 * </pre>
 *
 * Single-threaded: everything runs on the main thread, as bench.R runs in one R session. Longer than 400 lines on
 * purpose: it follows bench.R section by section, in bench.R's order, so the two can be read side by side.
 */
public final class SessionBenchmark {
    private final int runs = env("RUNS", 3);
    private final int nNoop = env("N_NOOP", 20_000);
    private final int nLat = env("N_LAT", 2000);
    private final int nMap = env("N_MAP", 10_000);
    private final int nPay = env("N_PAY", 200);
    private final int payBytes = env("PAY_BYTES", 1_000_000);
    private final int nWarm = env("N_WARM", 500);
    private final int sectionLimitS = env("SECTION_LIMIT_S", 180);
    private final double quietBusy = Double.parseDouble(System.getenv().getOrDefault("QUIET_BUSY", "0.10"));
    private final int quietMaxWaitS = env("QUIET_MAX_WAIT_S", 300);
    private final int sectionQuietMaxWaitS = env("SECTION_QUIET_MAX_WAIT_S", 120);
    private final boolean floor = env("FLOOR", 1) != 0;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final Set<String> sections = sections(System.getenv("SECTIONS"));
    private final LocalLauncher launcher = launcher(System.getenv("DAEMON_JVM_ARGS"));
    private final int prefetch = env("PREFETCH", 0); // 0: jmirai's default

    private final SessionFigures fig = new SessionFigures(System.out, System.err);
    private final List<Double> secBusy = new ArrayList<>();
    private final List<Double> secWait = new ArrayList<>();
    private double peakSeenKb;
    private long deadline;
    private Daemons daemons;

    private SessionBenchmark() {}

    /**
     * Runs every section {@code RUNS} times and prints the figures.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        new SessionBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        long t0 = System.nanoTime();
        fig.out("jmirai_version", "0.1.0-SNAPSHOT", "version");
        fig.out("java_version", System.getProperty("java.runtime.version"), "version");
        fig.out("transport", Transports.isNative() ? "epoll" : "nio", "name");
        fig.out("cpu_cores", cores, "cores");
        fig.out("loadavg_1min_at_start", ProcStats.loadAverage(), "load");
        fig.out("runs", runs, "repetitions");
        if (prefetch > 0) {
            fig.out("prefetch", prefetch, "tasks");
        }
        fig.out("host_rss_after_library", (long) ProcStats.memKb("self")[0], "kB");
        memory();
        for (int rep = 1; rep <= runs; rep++) {
            repetition(rep);
        }
        fig.medians(runs);
        fig.out("host_peak_rss_whole_run", (long) Math.max(peakSeenKb, ProcStats.memKb("self")[1]), "kB");
        fig.out("bench_wall_time", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9), "s");
    }

    /** bench.R's memory section, once, before any repetition: daemon RSS idle, after warm-up, after a batch. */
    private void memory() {
        if (!selected("memory")) {
            return;
        }
        Map<String, Double> res = new LinkedHashMap<>();
        try {
            deadline = System.nanoTime() + sectionLimitS * 1_000_000_000L;
            start(Daemons.builder().local(2));
            Thread.sleep(1000);
            List<String> pids = ProcStats.childPids(daemons.url());
            if (pids.isEmpty()) {
                throw new IllegalStateException("could not find the daemon processes");
            }
            double[] m0 = ProcStats.memKb(pids.get(0));
            System.gc();
            double h0 = ProcStats.memKb("self")[0];
            warmup();
            double[] m1 = ProcStats.memKb(pids.get(0));
            System.gc();
            double pk = Double.NaN;
            if (resetPeak()) {
                noopBatch(nNoop);
                pk = ProcStats.memKb("self")[1];
            }
            double[] m2 = ProcStats.memKb(pids.get(0));
            res.put("daemon_idle_rss", m0[0]);
            res.put("daemon_idle_peak_rss", m0[1]);
            res.put("daemon_after_500noop_rss", m1[0]);
            res.put("daemon_after_noop20k_peak_rss", m2[1]);
            res.put("host_rss_idle_with_daemons2", h0);
            res.put("host_peak_rss_noop20k_dispatcher", pk);
        } catch (Exception e) {
            System.err.println("# ERROR in memory section: " + e);
            res.clear();
        }
        stop();
        for (Map.Entry<String, Double> e : res.entrySet()) {
            fig.out(
                    e.getKey(),
                    Double.isNaN(e.getValue())
                            ? "NA"
                            : Long.toString(e.getValue().longValue()),
                    "kB");
        }
    }

    private boolean resetPeak() {
        peakSeenKb = Math.max(peakSeenKb, ProcStats.memKb("self")[1]);
        return ProcStats.resetPeak();
    }

    private void repetition(int rep) throws Exception {
        fig.rep(rep);
        double[] q = ProcStats.waitQuiet(quietBusy, quietMaxWaitS, 2);
        fig.record("machine_cpu_busy_before_rep", 100 * q[0], "%");
        fig.record("quiet_wait_before_rep", q[1], "s");
        secBusy.clear();
        secWait.clear();
        long repT0 = System.nanoTime();
        stop();

        section("startup_disp", units("startup_daemons2_dispatcher", "ms"), () -> {
            long t0 = System.nanoTime();
            start(Daemons.builder().local(2));
            fig.record("startup_daemons2_dispatcher", ms(t0), "ms");
        });
        section("noop_disp", noopUnits("dispatcher"), () -> noop(true, "dispatcher"));
        section("map_disp", units("map_throughput_daemons2_dispatcher", "tasks/s"), () -> map(true, true));
        section(
                "payload_disp",
                units("payload_oneway_daemons2_dispatcher", "MB/s", "payload_tasks_daemons2_dispatcher", "tasks/s"),
                () -> payload(true));
        stop();

        section("startup_direct", units("startup_daemons2_nodispatcher", "ms"), () -> {
            long t0 = System.nanoTime();
            start(Daemons.builder().local(2).dispatcher(false));
            fig.record("startup_daemons2_nodispatcher", ms(t0), "ms");
        });
        section("noop_direct", noopUnits("nodispatcher"), () -> noop(false, "nodispatcher"));
        section("map_direct", units("map_throughput_daemons2_nodispatcher", "tasks/s"), () -> map(false, false));
        section("payload_direct", units("payload_oneway_daemons2_nodispatcher", "MB/s"), () -> payloadDirect());
        stop();

        for (boolean disp : new boolean[] {true, false}) {
            String nm = "noop_throughput_daemons2_" + (disp ? "dispatcher" : "nodispatcher") + "_cleanupFALSE";
            section(nm, units(nm, "tasks/s"), () -> {
                start(Daemons.builder()
                        .local(2)
                        .dispatcher(disp)
                        .daemonOptions(DaemonOptions.defaults().cleanup(false)));
                warmup();
                double[] r = noopBatch(nNoop);
                fig.record(nm, nNoop / r[0], "tasks/s");
            });
            stop();
        }

        for (boolean disp : new boolean[] {true, false}) {
            String tag = disp ? "dispatcher" : "nodispatcher";
            section(
                    "latency_" + tag,
                    units(
                            "latency_median_daemons1_" + tag, "us",
                            "latency_p99_daemons1_" + tag, "us",
                            "latency_mean_daemons1_" + tag, "us"),
                    () -> {
                        start(Daemons.builder().local(1).dispatcher(disp));
                        latencySeq(nWarm);
                        double[] lat = latencySeq(nLat);
                        Arrays.sort(lat);
                        fig.record("latency_median_daemons1_" + tag, SessionFigures.quantile(lat, 0.5), "us");
                        fig.record("latency_p99_daemons1_" + tag, SessionFigures.quantile(lat, 0.99), "us");
                        fig.record("latency_mean_daemons1_" + tag, SessionFigures.mean(lat), "us");
                    });
            stop();
        }

        for (String scheme : new String[] {"tls+tcp", "tcp"}) {
            for (boolean disp : new boolean[] {true, false}) {
                String tag = (scheme.equals("tls+tcp") ? "tls" : "tcp") + "_" + (disp ? "dispatcher" : "nodispatcher");
                section(
                        tag,
                        units(
                                "startup_daemons_call_" + tag, "ms",
                                "startup_launch_connect2_" + tag, "ms",
                                "noop_throughput_daemons2_" + tag, "tasks/s"),
                        () -> {
                            long t0 = System.nanoTime();
                            start(Daemons.builder()
                                    .url(scheme + "://127.0.0.1:0")
                                    .dispatcher(disp));
                            double tCall = ms(t0);
                            if (!daemons.url().startsWith(scheme + "://127.0.0.1:")) {
                                throw new IllegalStateException("unexpected listen URL: " + daemons.url());
                            }
                            long t1 = System.nanoTime();
                            daemons.launchLocal(2);
                            double tConn = ms(t1);
                            warmup();
                            double[] r = noopBatch(nNoop);
                            fig.record("startup_daemons_call_" + tag, tCall, "ms");
                            fig.record("startup_launch_connect2_" + tag, tConn, "ms");
                            fig.record("noop_throughput_daemons2_" + tag, nNoop / r[0], "tasks/s");
                        });
                stop();
            }
        }

        if (floor) {
            section("floor", FloorSession.UNITS, () -> new FloorSession(nWarm, nLat, nPay, payBytes).run(fig));
        }

        stop();
        fig.record("rep_wall_time", (System.nanoTime() - repT0) / 1e9, "s");
        fig.record(
                "machine_cpu_busy_max_before_sections",
                100 * secBusy.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                "%");
        fig.record(
                "quiet_wait_total_before_sections",
                secWait.stream().mapToDouble(Double::doubleValue).sum(),
                "s");
        fig.record("loadavg_1min_after_rep", ProcStats.loadAverage(), "load");
    }

    /** One section: wait for a quiet machine, run under the section's time limit; on failure record NA. */
    private void section(String label, Map<String, String> namesUnits, Body body) throws InterruptedException {
        if (!selected(label)) {
            return;
        }
        double[] q = ProcStats.waitQuiet(quietBusy, sectionQuietMaxWaitS, 1);
        secBusy.add(q[0]);
        secWait.add(q[1]);
        deadline = System.nanoTime() + sectionLimitS * 1_000_000_000L;
        try {
            body.run();
        } catch (Exception e) {
            System.err.println("# ERROR in section " + label + ": " + e);
            for (Map.Entry<String, String> nu : namesUnits.entrySet()) {
                fig.record(nu.getKey(), Double.NaN, nu.getValue());
            }
            stop();
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private void noop(boolean disp, String tag) throws Exception {
        if (daemons == null || daemons.status().connections() < 2) {
            start(Daemons.builder().local(2).dispatcher(disp));
        }
        warmup();
        List<String> pids = ProcStats.childPids(daemons.url());
        List<String> self = List.of("self");
        double c0 = ProcStats.cpuSeconds(self);
        double d0 = ProcStats.cpuSeconds(pids);
        double b0 = ProcStats.machineBusySeconds();
        double[] r = noopBatch(nNoop);
        double c1 = ProcStats.cpuSeconds(self);
        double d1 = ProcStats.cpuSeconds(pids);
        double b1 = ProcStats.machineBusySeconds();
        fig.record("noop_throughput_daemons2_" + tag, nNoop / r[0], "tasks/s");
        fig.record(
                "noop_foreign_cpu_" + tag, 100 * Math.max(0, (b1 - b0) - (c1 - c0) - (d1 - d0)) / (r[0] * cores), "%");
        fig.record("noop_submit_rate_daemons2_" + tag, nNoop / r[1], "tasks/s");
        fig.record("noop_cpu_host_per_task_" + tag, (c1 - c0) / nNoop * 1e6, "us");
        fig.record("noop_cpu_daemons_per_task_" + tag, (d1 - d0) / nNoop * 1e6, "us");
    }

    private static Map<String, String> noopUnits(String tag) {
        return units(
                "noop_throughput_daemons2_" + tag, "tasks/s",
                "noop_submit_rate_daemons2_" + tag, "tasks/s",
                "noop_cpu_host_per_task_" + tag, "us",
                "noop_cpu_daemons_per_task_" + tag, "us",
                "noop_foreign_cpu_" + tag, "%");
    }

    /** mirai_map over 1..N_MAP with {@code function(x) x}; bench.R warms up first with the dispatcher only. */
    private void map(boolean disp, boolean warm) throws Exception {
        if (daemons == null || daemons.status().connections() < 2) {
            start(Daemons.builder().local(2).dispatcher(disp));
        }
        if (warm) {
            warmup();
        }
        List<Integer> items = new ArrayList<>(nMap);
        for (int i = 1; i <= nMap; i++) {
            items.add(i);
        }
        long t0 = System.nanoTime();
        List<Object> res =
                daemons.<Integer, Integer>map(items, x -> x).collect(io.jmirai.MapOptions.defaults(), remaining());
        double el = (System.nanoTime() - t0) / 1e9;
        if (res.size() != nMap || !Integer.valueOf(nMap).equals(res.get(nMap - 1))) {
            throw new IllegalStateException("map result mismatch");
        }
        fig.record("map_throughput_daemons2_" + (disp ? "dispatcher" : "nodispatcher"), nMap / el, "tasks/s");
    }

    private byte[] randomBytes() {
        byte[] buf = new byte[payBytes];
        new Random().nextBytes(buf);
        return buf;
    }

    /** N_PAY tasks each carrying PAY_BYTES in and returning them; one warm-up task first, checked. */
    private void payload(boolean disp) throws Exception {
        if (daemons == null || daemons.status().connections() < 2) {
            start(Daemons.builder().local(2).dispatcher(disp));
        }
        byte[] buf = randomBytes();
        Task<byte[]> echo = () -> buf;
        if (!Arrays.equals(get(daemons.mirai(echo)), buf)) {
            throw new IllegalStateException("payload warm-up mismatch");
        }
        double el = payloadBatch(echo, buf);
        fig.record("payload_oneway_daemons2_dispatcher", nPay * (double) payBytes / 1e6 / el, "MB/s");
        fig.record("payload_tasks_daemons2_dispatcher", nPay / el, "tasks/s");
    }

    private void payloadDirect() throws Exception {
        if (daemons == null || daemons.status().connections() < 2) {
            start(Daemons.builder().local(2).dispatcher(false));
        }
        byte[] buf = randomBytes();
        Task<byte[]> echo = () -> buf;
        double el = payloadBatch(echo, buf);
        fig.record("payload_oneway_daemons2_nodispatcher", nPay * (double) payBytes / 1e6 / el, "MB/s");
    }

    private double payloadBatch(Task<byte[]> echo, byte[] buf) throws Exception {
        List<Mirai<byte[]>> ms = new ArrayList<>(nPay);
        long t0 = System.nanoTime();
        for (int i = 0; i < nPay; i++) {
            ms.add(daemons.mirai(echo));
        }
        for (Mirai<byte[]> m : ms) {
            if (get(m).length != payBytes) {
                throw new IllegalStateException("payload result mismatch");
            }
        }
        double el = (System.nanoTime() - t0) / 1e9;
        if (!Arrays.equals(get(ms.get(nPay - 1)), buf)) {
            throw new IllegalStateException("payload content mismatch");
        }
        return el;
    }

    /** Warm-up: a batch of no-op tasks, submitted then collected. */
    private void warmup() throws Exception {
        List<Mirai<Object>> ms = new ArrayList<>(nWarm);
        for (int i = 0; i < nWarm; i++) {
            ms.add(daemons.mirai(() -> null));
        }
        for (Mirai<Object> m : ms) {
            get(m);
        }
    }

    /** @return {total seconds, submit seconds} of n no-op tasks submitted, then all collected */
    private double[] noopBatch(int n) throws Exception {
        List<Mirai<Object>> ms = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ms.add(daemons.mirai(() -> null));
        }
        double tSub = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < n; i++) {
            Object r = get(ms.get(i));
            if (r != null) {
                throw new IllegalStateException("task " + i + " returned a non-null value (error?): " + r);
            }
        }
        return new double[] {(System.nanoTime() - t0) / 1e9, tSub};
    }

    /** @return the latency of each of n sequential round trips, in microseconds */
    private double[] latencySeq(int n) throws Exception {
        double[] lat = new double[n];
        Object r = null;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Mirai<Integer> m = daemons.mirai(() -> 1);
            r = get(m);
            lat[i] = (System.nanoTime() - t0) / 1e3;
        }
        if (!Integer.valueOf(1).equals(r)) {
            throw new IllegalStateException("unexpected latency-task result: " + r);
        }
        return lat;
    }

    private <T> T get(Mirai<T> m) throws Exception {
        return m.get(remaining());
    }

    private Duration remaining() throws TimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("section time limit reached: " + sectionLimitS + " s");
        }
        return Duration.ofNanos(left);
    }

    private void start(Daemons.Builder b) {
        stop();
        if (prefetch > 0) {
            b.prefetch(prefetch);
        }
        daemons = (launcher == null ? b : b.launcher(launcher)).start();
    }

    private boolean selected(String label) {
        return sections == null || sections.contains(label);
    }

    private static Set<String> sections(String env) {
        return env == null || env.isBlank() ? null : Set.of(env.strip().split("\\s*,\\s*"));
    }

    /**
     * @return the default launcher with exactly the JVM options {@code env} lists (the class-data-sharing archive, if
     *     any, stays: {@code -Djmirai.launch.cds=false} on this JVM drops it), or null (unset) for jmirai's default
     */
    private static LocalLauncher launcher(String env) {
        if (env == null || env.isBlank()) {
            return null;
        }
        List<String> args =
                env.strip().equals("none") ? List.of() : List.of(env.strip().split("\\s+"));
        return new LocalLauncher().withJvmArgs(args);
    }

    /** bench.R's {@code daemons(0)}. */
    private void stop() {
        if (daemons != null) {
            Daemons d = daemons;
            daemons = null;
            d.close();
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static Map<String, String> units(String... nameUnit) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameUnit.length; i += 2) {
            m.put(nameUnit[i], nameUnit[i + 1]);
        }
        return m;
    }

    private static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : Integer.parseInt(v.strip());
    }
}
