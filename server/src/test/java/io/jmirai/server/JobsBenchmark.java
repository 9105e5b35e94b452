package io.jmirai.server;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.Job;
import io.jmirai.MapOptions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Job submission and fetch next to the embedded dispatcher: a server in this JVM ({@link JMiraiServer}, store
 * durability SYNC) with two local daemon JVMs, a client connected to it, and an embedded {@code Daemons} with two
 * local daemons of its own, on the same workloads: 10,000 tiny tasks, and 500 tasks returning 100 KB each. A program,
 * not a test (numbers go to server/README.md):
 *
 * <pre>
 * mvn -q -B -ntp -pl server -am package -DskipTests
 * java -cp server/target/test-classes:server/target/jmirai-server.jar io.jmirai.server.JobsBenchmark
 * </pre>
 *
 * Single-threaded; every loop is bounded in count.
 */
public final class JobsBenchmark {
    private static final Duration WAIT = Duration.ofMinutes(10);

    private JobsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jobs-bench");
        String classpath =
                Path.of("server", "target", "test-classes").toAbsolutePath().toString();
        System.out.printf(
                Locale.ROOT,
                "cores=%d load=%s java=%s%n",
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim(),
                System.getProperty("java.version"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<Integer> small = IntStream.range(0, 10_000).boxed().toList();
        List<Integer> large = IntStream.range(0, 500).boxed().toList();
        Path credentials = dir.resolve("server.credentials");
        try (JMiraiServer server =
                JMiraiServer.start("tcp://127.0.0.1:0", dir.resolve("jobs.db"), credentials, 2, classpath, quiet)) {
            System.out.println("server at " + server.credentials().url());
            run(credentials, classpath, small, large);
        }
    }

    private static void run(Path credentials, String classpath, List<Integer> small, List<Integer> large)
            throws Exception {
        try (Daemons client = Daemons.connect(credentials);
                Daemons embedded = Daemons.builder()
                        .local(2)
                        .daemonOptions(DaemonOptions.defaults().classpath(classpath))
                        .start()) {
            for (int round = 0; round < 2; round++) { // the first round warms up
                String tag = round == 0 ? "warm-up " : "";
                long t0 = System.nanoTime();
                embedded.map(small, x -> x).collect(MapOptions.defaults(), WAIT);
                double embeddedMap = seconds(t0);
                t0 = System.nanoTime();
                client.map(small, x -> x).collect(MapOptions.defaults(), WAIT);
                double clientMap = seconds(t0);
                t0 = System.nanoTime();
                Job<Integer> job = client.submitJob("small-" + round, small, x -> x);
                double submit = seconds(t0);
                job.results(WAIT);
                double complete = seconds(t0);
                t0 = System.nanoTime();
                job.fetch();
                double fetch = seconds(t0);
                job.delete();
                System.out.printf(
                        Locale.ROOT,
                        "%s10,000 tiny tasks: embedded map %.0f tasks/s | client map via server %.0f tasks/s | job:"
                                + " stored %.0f tasks/s (%.0f ms), complete %.0f tasks/s, fetch %.0f results/s%n",
                        tag,
                        small.size() / embeddedMap,
                        small.size() / clientMap,
                        small.size() / submit,
                        submit * 1000,
                        small.size() / complete,
                        small.size() / fetch);

                t0 = System.nanoTime();
                embedded.map(large, x -> new byte[100_000]).collect(MapOptions.defaults(), WAIT);
                double embeddedLarge = seconds(t0);
                Job<byte[]> big = client.submitJob("large-" + round, large, x -> new byte[100_000]);
                t0 = System.nanoTime();
                big.results(WAIT);
                double bigComplete = seconds(t0);
                t0 = System.nanoTime();
                big.fetch();
                double bigFetch = seconds(t0);
                big.delete();
                double mb = large.size() * 100_000 / 1e6;
                System.out.printf(
                        Locale.ROOT,
                        "%s500 x 100 KB results: embedded map %.0f MB/s | job complete (stored) %.0f MB/s, fetch %.0f"
                                + " MB/s%n",
                        tag,
                        mb / embeddedLarge,
                        mb / bigComplete,
                        mb / bigFetch);
            }
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
