package io.jmirai.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store in a real child JVM: killed with SIGKILL in the middle of writing results, then reopened (nothing
 * acknowledged is lost, the job resumes and completes with each result once); and a 64 MiB result written and read
 * back by a JVM whose whole heap is 32 MiB.
 */
@Tag("integration")
@Timeout(300) // three child JVMs and ~100 MB of fsync'ed writes on a shared 2-core machine
class JobStoreCrashTest {
    private static final int TOTAL = 300;

    @TempDir
    Path dir;

    /** Child programs: {@code write DB JOB} and {@code bounded DB}. */
    public static void main(String[] args) throws IOException {
        if (args[0].equals("write")) {
            writeUntilKilled(Path.of(args[1]), args[2]);
        } else if (args[0].equals("bounded")) {
            roundTripLargeValue(Path.of(args[1]));
        } else {
            throw new IllegalArgumentException("mode: " + args[0]);
        }
    }

    /** Results of 100 B, every fifth 1 MiB, for the job's pending tasks in order; "ack i" once each is stored. */
    private static void writeUntilKilled(Path db, String jobId) {
        try (JobStore store = JobStore.open(db)) {
            for (PendingTask t : store.pendingTasks(jobId, 0, TOTAL)) {
                store.storeResult(jobId, t.index(), ResultStatus.VALUE, value(t.index()), List.of());
                System.out.println("ack " + t.index());
                System.out.flush();
            }
        }
        System.out.println("finished");
    }

    private static InputStream value(int index) {
        return new JobStoreTest.PatternStream(index, sizeOf(index));
    }

    private static int sizeOf(int index) {
        return index % 5 == 4 ? 1 << 20 : 100;
    }

    private static void roundTripLargeValue(Path db) throws IOException {
        long size = 64L << 20;
        try (JobStore store = JobStore.open(db)) {
            store.submitJob("large", List.of(new byte[1]));
            store.storeResult("large", 0, ResultStatus.VALUE, new JobStoreTest.PatternStream(3, size), List.of());
            try (ResultCursor c = store.results("large", 0);
                    InputStream expected = new JobStoreTest.PatternStream(3, size)) {
                c.next();
                try (InputStream in = c.value()) {
                    if (c.size() != size || crc(in) != crc(expected)) {
                        throw new IllegalStateException("64 MiB value came back different");
                    }
                }
            }
        }
        System.out.println("ok max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    }

    private static long crc(InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
        }
        return crc.getValue();
    }

    private static Process child(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-cp",
                System.getProperty("java.class.path"),
                JobStoreCrashTest.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void shouldLoseNothingAcknowledgedWhenKilledMidWriteAndResume() throws Exception {
        Path db = dir.resolve("jobs.db");
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            payloads.add(("payload " + i).getBytes(StandardCharsets.UTF_8));
        }
        try (JobStore store = JobStore.open(db)) {
            store.submitJob("crash", payloads);
        }
        Set<Integer> acked = new TreeSet<>();
        int[] killAfters = {23, 41, 57};
        for (int round = 0; round < killAfters.length; round++) {
            int killAfter = killAfters[round];
            Process writer = child("write", db.toString(), "crash");
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
                int acks = 0;
                String line;
                while (acks < killAfter && (line = out.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        acked.add(Integer.parseInt(line.substring(4)));
                        acks++;
                    } else {
                        System.out.println("writer: " + line);
                    }
                }
                assertThat(acks).as("acks before the kill").isEqualTo(killAfter);
                // SIGKILL, in the middle of the next write (1 MiB every fifth); through the handle, because
                // Process.destroyForcibly also closes our end of its output, which still holds acks to read.
                writer.toHandle().destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // Acks the child printed before it died but the pipe had not delivered yet count too.
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        acked.add(Integer.parseInt(line.substring(4)));
                    }
                }
            } finally {
                writer.destroyForcibly();
            }

            try (JobStore store = JobStore.open(db)) {
                assertThat(store.check()).isEmpty();
                Set<Integer> stored = new TreeSet<>();
                try (ResultCursor c = store.results("crash", 0)) {
                    while (c.next()) {
                        stored.add(c.index());
                        try (InputStream in = c.value()) {
                            assertThat(in).as("result %d", c.index()).hasSameContentAs(value(c.index()));
                        }
                    }
                }
                assertThat(stored).as("every acknowledged result survived").containsAll(acked);
                assertThat(stored.size() - acked.size())
                        .as("at most the one in flight per kill so far was stored without its ack")
                        .isBetween(0, round + 1);
                List<Integer> pending = new ArrayList<>();
                store.pendingTasks("crash", 0, TOTAL).forEach(t -> pending.add(t.index()));
                assertThat(pending)
                        .isSorted()
                        .doesNotContainAnyElementsOf(stored)
                        .hasSize(TOTAL - stored.size());
                assertThat(store.job("crash").orElseThrow().done()).isEqualTo(stored.size());
            }
        }

        // Resume as a restarted server would: every task runs again, so acknowledged ones answer a second time.
        try (JobStore store = JobStore.open(db)) {
            int storedNow = 0;
            for (int i = 0; i < TOTAL; i++) {
                StoreOutcome outcome = store.storeResult("crash", i, ResultStatus.VALUE, value(i), List.of());
                if (acked.contains(i)) {
                    assertThat(outcome).as("result %d again", i).isEqualTo(StoreOutcome.DUPLICATE);
                }
                storedNow += outcome == StoreOutcome.STORED ? 1 : 0;
            }
            assertThat(storedNow).isLessThanOrEqualTo(TOTAL - acked.size());
            JobInfo job = store.job("crash").orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.COMPLETE);
            assertThat(job.done()).isEqualTo(TOTAL);
            int seen = 0;
            try (ResultCursor c = store.results("crash", 0)) {
                while (c.next()) {
                    assertThat(c.index()).isEqualTo(seen++);
                }
            }
            assertThat(seen).as("each result exactly once").isEqualTo(TOTAL);
            assertThat(store.pendingTasks("crash", 0, TOTAL)).isEmpty();
        }
    }

    @Test
    void shouldStreamA64MiBResultThroughA32MiBHeap() throws Exception {
        Process p = child("bounded", dir.resolve("large.db").toString());
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("ok max heap");
            assertThat(p.exitValue()).as(out).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
