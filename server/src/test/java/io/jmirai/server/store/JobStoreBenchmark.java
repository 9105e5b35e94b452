package io.jmirai.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the {@link JobStore} API itself, under both {@link Durability} settings: job submission (task
 * payloads stored per second), results stored one per call and in batches, 1 MiB results, and reading back. A
 * program, not a test; run as {@link StoreEngineBenchmark} says, with this class's name. Single-threaded; every loop
 * is bounded in count.
 */
public final class JobStoreBenchmark {
    private JobStoreBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("jobstore-bench");
        System.out.printf(
                Locale.ROOT,
                "cores=%d load=%s java=%s%n",
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim(),
                System.getProperty("java.version"));
        for (Durability durability : Durability.values()) {
            Path db = dir.resolve(durability.name().toLowerCase(Locale.ROOT) + ".db");
            try (JobStore store = JobStore.open(db, StoreOptions.defaults().durability(durability))) {
                run(store, durability);
            }
        }
    }

    private static void run(JobStore store, Durability durability) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            payloads.add(new byte[100]);
        }
        store.submitJob("warm-up", payloads.subList(0, 1_000));
        long t0 = System.nanoTime();
        store.submitJob("small", payloads);
        double submitMs = millis(t0);

        int single = durability == Durability.SYNC ? 1_000 : 5_000;
        t0 = System.nanoTime();
        for (int i = 0; i < single; i++) {
            store.storeResult("small", i, ResultStatus.VALUE, new byte[100]);
        }
        double perCall = single / (millis(t0) / 1000);

        t0 = System.nanoTime();
        int batched = 0;
        for (int from = single; from < payloads.size(); from += 64) {
            List<NewResult> batch = new ArrayList<>();
            for (int i = from; i < Math.min(payloads.size(), from + 64); i++) {
                batch.add(new NewResult("small", i, ResultStatus.VALUE, new byte[100]));
            }
            store.storeResults(batch);
            batched += batch.size();
        }
        double perBatch = batched / (millis(t0) / 1000);

        t0 = System.nanoTime();
        int read = 0;
        try (ResultCursor c = store.results("small", 0)) {
            while (c.next()) {
                read += c.valueBytes().length > 0 ? 1 : 0;
            }
        }
        double readSmall = read / (millis(t0) / 1000);

        int large = 40;
        store.submitJob("large", payloads.subList(0, large));
        t0 = System.nanoTime();
        for (int i = 0; i < large; i++) {
            store.storeResult("large", i, ResultStatus.VALUE, new JobStoreTest.PatternStream(i, 1 << 20), List.of());
        }
        double writeLarge = large / (millis(t0) / 1000);

        t0 = System.nanoTime();
        long bytes = 0;
        byte[] buf = new byte[64 * 1024];
        try (ResultCursor c = store.results("large", 0)) {
            while (c.next()) {
                try (InputStream in = c.value()) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        bytes += n;
                    }
                }
            }
        }
        double readLarge = bytes / 1e6 / (millis(t0) / 1000);

        System.out.printf(
                Locale.ROOT,
                "%-7s submit 10,000 tasks %5.0f ms (%6.0f tasks/s) | 100 B results: %6.0f/s one per call, %6.0f/s"
                        + " in batches of 64, read %7.0f/s | 1 MiB results: write %5.1f/s, read %6.1f MB/s%n",
                durability,
                submitMs,
                10_000 / (submitMs / 1000),
                perCall,
                perBatch,
                readSmall,
                writeLarge,
                readLarge);
    }

    private static double millis(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
