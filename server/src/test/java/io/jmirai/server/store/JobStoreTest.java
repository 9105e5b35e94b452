package io.jmirai.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job store on real database files under a temporary directory. */
class JobStoreTest {
    @TempDir
    Path dir;

    @AutoClose
    JobStore store;

    private JobStore open() {
        store = JobStore.open(dir.resolve("jobs.db"));
        return store;
    }

    private JobStore reopen() {
        store.close();
        return open();
    }

    static List<byte[]> payloads(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> ("task " + i).getBytes(UTF_8))
                .collect(Collectors.toList());
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static List<String> values(ResultCursor c) {
        List<String> out = new ArrayList<>();
        while (c.next()) {
            out.add(c.index() + ":" + c.status() + ":" + new String(c.valueBytes(), UTF_8));
        }
        return out;
    }

    private static long count(Path db, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void shouldCreateANewStoreAtTheCurrentSchemaVersion() throws SQLException {
        open().close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("jobs.db"))) {
            assertThat(Schema.version(c)).isEqualTo(Schema.CURRENT).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseAStoreWrittenByANewerSchema() throws SQLException {
        open().close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("jobs.db"));
                Statement s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = 99");
        }
        assertThatThrownBy(this::open)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99 is newer")
                .hasMessageContaining(dir.resolve("jobs.db").toString())
                .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.UNUSABLE));
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameFile() {
        open();
        assertThatThrownBy(() -> JobStore.open(dir.resolve("jobs.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void shouldRejectADuplicateJobIdNamingIt() {
        open().submitJob("nightly-1", payloads(2));
        assertThatThrownBy(() -> store.submitJob("nightly-1", payloads(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job id already in use: nightly-1");
        assertThatThrownBy(() -> store.createJob("nightly-1", 3)).hasMessage("job id already in use: nightly-1");
        assertThat(store.job("nightly-1").orElseThrow().total()).isEqualTo(2);
    }

    @Test
    void shouldGenerateDistinctIdsAndRejectInvalidOnes() {
        open();
        String a = store.submitJob(null, payloads(1)).id();
        String b = store.submitJob(null, payloads(1)).id();
        assertThat(a).startsWith("job-").isNotEqualTo(b);
        assertThatThrownBy(() -> store.submitJob("../etc", payloads(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid job id: \"../etc\"");
        assertThatThrownBy(() -> store.submitJob("", payloads(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldListJobsWithTheirCountsAndState() {
        Instant before = Instant.now().minusMillis(1);
        open().submitJob("a", payloads(3));
        store.submitJob("b", payloads(1));
        store.storeResult("a", 0, ResultStatus.VALUE, bytes("x"));
        store.storeResult("a", 2, ResultStatus.ERROR, bytes("boom"));
        store.storeResult("b", 0, ResultStatus.VALUE, bytes("y"));

        List<JobInfo> jobs = reopen().jobs();

        assertThat(jobs).extracting(JobInfo::id).containsExactly("a", "b");
        JobInfo a = jobs.get(0);
        assertThat(a.created()).isAfter(before).isBefore(Instant.now().plusMillis(1));
        assertThat(a)
                .extracting(JobInfo::total, JobInfo::done, JobInfo::failed, JobInfo::state, JobInfo::unresolved)
                .containsExactly(3, 1, 1, JobState.RUNNING, 1);
        assertThat(jobs.get(1).state()).isEqualTo(JobState.COMPLETE);
        assertThat(store.job("nope")).isEmpty();
    }

    @Test
    void shouldStoreEachResultExactlyOnceWhenATaskAnswersTwice() throws IOException {
        open().submitJob("j", payloads(2));
        assertThat(store.storeResult("j", 1, ResultStatus.VALUE, bytes("first")))
                .isEqualTo(StoreOutcome.STORED);
        InputStream second = new ByteArrayInputStream(bytes("second"));
        assertThat(store.storeResult("j", 1, ResultStatus.ERROR, second, List.of()))
                .isEqualTo(StoreOutcome.DUPLICATE);
        assertThat(second.available()).as("a duplicate is not read").isEqualTo(6);

        assertThat(store.job("j").orElseThrow())
                .extracting(JobInfo::done, JobInfo::failed)
                .containsExactly(1, 0);
        try (ResultCursor c = store.results("j", 0)) {
            assertThat(values(c)).containsExactly("1:VALUE:first");
        }
    }

    @Test
    void shouldListUnresolvedTasksInItemOrderAfterAReopen() {
        open().submitJob("resume", payloads(6));
        store.storeResult("resume", 4, ResultStatus.VALUE, bytes("4"));
        store.storeResult("resume", 1, ResultStatus.VALUE, bytes("1"));

        List<PendingTask> pending = reopen().pendingTasks("resume", 0, 100);

        assertThat(pending).extracting(PendingTask::index).containsExactly(0, 2, 3, 5);
        assertThat(pending)
                .extracting(t -> new String(t.payload(), UTF_8))
                .containsExactly("task 0", "task 2", "task 3", "task 5");
        assertThat(store.pendingTasks("resume", 3, 1))
                .extracting(PendingTask::index)
                .containsExactly(3);
        assertThatThrownBy(() -> store.pendingTasks("gone", 0, 10))
                .isInstanceOf(UnknownJobException.class)
                .hasMessage("unknown job: id=gone");
    }

    @Test
    void shouldReportResultsForUnknownJobsAndRejectBadIndices() {
        open().submitJob("j", payloads(2));
        assertThat(store.storeResult("other", 0, ResultStatus.VALUE, bytes("v")))
                .isEqualTo(StoreOutcome.UNKNOWN_JOB);
        assertThatThrownBy(() -> store.storeResult("j", 2, ResultStatus.VALUE, bytes("v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task index out of range: job=j, index=2");
        assertThatThrownBy(() -> store.results("other", 0)).isInstanceOf(UnknownJobException.class);
    }

    @Test
    void shouldSubmitInPartsAndStoreNoResultBeforeTheJobIsSealed() {
        open().createJob("parts", 4);
        store.addTasks("parts", 0, payloads(2));
        assertThat(store.job("parts").orElseThrow().state()).isEqualTo(JobState.SUBMITTING);
        assertThatThrownBy(() -> store.storeResult("parts", 0, ResultStatus.VALUE, bytes("v")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still being submitted");
        assertThatThrownBy(() -> store.sealJob("parts"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("job has 2 of its 4 task payloads: job=parts");
        assertThatThrownBy(() -> store.addTasks("parts", 3, payloads(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");

        store.addTasks("parts", 2, List.of(bytes("task 2"), bytes("task 3")));

        assertThat(store.sealJob("parts").state()).isEqualTo(JobState.RUNNING);
        assertThat(store.sealJob("parts").state()).isEqualTo(JobState.RUNNING);
        assertThatThrownBy(() -> store.addTasks("parts", 0, payloads(1))).isInstanceOf(IllegalStateException.class);
        assertThat(store.pendingTasks("parts", 0, 10)).hasSize(4);
        assertThat(store.submitJob("empty", List.of()).state()).isEqualTo(JobState.COMPLETE);
    }

    @Test
    void shouldStoreABatchOfResultsInOneTransaction() {
        open().submitJob("batch", payloads(3));
        List<StoreOutcome> outcomes = store.storeResults(List.of(
                new NewResult("batch", 0, ResultStatus.VALUE, bytes("a")),
                new NewResult("batch", 2, ResultStatus.ERROR, bytes("c")),
                new NewResult("batch", 0, ResultStatus.VALUE, bytes("again")),
                new NewResult("deleted", 0, ResultStatus.VALUE, bytes("x"))));
        assertThat(outcomes)
                .containsExactly(
                        StoreOutcome.STORED, StoreOutcome.STORED, StoreOutcome.DUPLICATE, StoreOutcome.UNKNOWN_JOB);
        try (ResultCursor c = store.results("batch", 0)) {
            assertThat(values(c)).containsExactly("0:VALUE:a", "2:ERROR:c");
        }
        assertThatThrownBy(() -> store.storeResults(List.of(
                        new NewResult("batch", 1, ResultStatus.VALUE, bytes("b")),
                        new NewResult("batch", 9, ResultStatus.VALUE, bytes("bad")))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.job("batch").orElseThrow().done())
                .as("a failed batch stores nothing")
                .isEqualTo(1);
    }

    @Test
    void shouldStreamLargeResultsInItemOrderWithExactBytes() throws IOException {
        open().submitJob("big", payloads(3));
        int[] sizes = {3 * Chunks.CHUNK + 17, Chunks.CHUNK, 0};
        for (int i : new int[] {2, 0, 1}) {
            assertThat(store.storeResult("big", i, ResultStatus.VALUE, new PatternStream(i, sizes[i]), List.of()))
                    .isEqualTo(StoreOutcome.STORED);
        }
        try (ResultCursor c = store.results("big", 0)) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.next()).isTrue();
                assertThat(c.index()).isEqualTo(i);
                assertThat(c.size()).isEqualTo(sizes[i]);
                try (InputStream in = c.value()) {
                    assertThat(in).hasSameContentAs(new PatternStream(i, sizes[i]));
                }
                assertThatThrownBy(c::value).isInstanceOf(IllegalStateException.class);
            }
            assertThat(c.next()).isFalse();
        }
        try (ResultCursor c = store.results("big", 1)) {
            assertThat(c.next()).isTrue();
            assertThat(c.index()).isEqualTo(1);
        }
    }

    @Test
    void shouldKeepACursorsSnapshotWhileResultsArrive() {
        open().submitJob("snap", payloads(3));
        store.storeResult("snap", 0, ResultStatus.VALUE, bytes("a"));
        try (ResultCursor c = store.results("snap", 0)) {
            store.storeResult("snap", 1, ResultStatus.VALUE, bytes("b"));
            assertThat(values(c)).containsExactly("0:VALUE:a");
        }
        try (ResultCursor c = store.results("snap", 0)) {
            assertThat(values(c)).containsExactly("0:VALUE:a", "1:VALUE:b");
        }
    }

    @Test
    void shouldFetchAndDeleteOnlyWhenTheReaderSucceeds() {
        open().submitJob("fd", payloads(2));
        store.storeResult("fd", 0, ResultStatus.VALUE, bytes("a"));
        store.storeResult("fd", 1, ResultStatus.VALUE, bytes("b"));
        assertThatThrownBy(() -> store.fetchAndDelete("fd", c -> {
                    throw new IllegalStateException("reader failed");
                }))
                .hasMessage("reader failed");
        assertThat(store.job("fd")).isPresent();

        List<String> fetched = store.fetchAndDelete("fd", JobStoreTest::values);

        assertThat(fetched).containsExactly("0:VALUE:a", "1:VALUE:b");
        assertThat(store.job("fd")).isEmpty();
    }

    @Test
    void shouldStoreOutputFilesWithTheResultAndDropThoseOfADuplicate() throws IOException {
        open().submitJob("files", payloads(2));
        store.storeResult(
                "files",
                1,
                ResultStatus.VALUE,
                new ByteArrayInputStream(bytes("v")),
                List.of(
                        new NewOutputFile("out/log.txt", new ByteArrayInputStream(bytes("log"))),
                        new NewOutputFile("plot.png", new PatternStream(7, Chunks.CHUNK + 1))));
        assertThat(store.storeResult(
                        "files",
                        1,
                        ResultStatus.VALUE,
                        new ByteArrayInputStream(bytes("v2")),
                        List.of(new NewOutputFile("late.txt", new ByteArrayInputStream(bytes("x"))))))
                .isEqualTo(StoreOutcome.DUPLICATE);

        assertThat(reopen().outputFiles("files"))
                .containsExactly(
                        new OutputFileInfo(1, "out/log.txt", 3), new OutputFileInfo(1, "plot.png", Chunks.CHUNK + 1));
        try (InputStream in = store.openOutputFile("files", 1, "plot.png")) {
            assertThat(in).hasSameContentAs(new PatternStream(7, Chunks.CHUNK + 1));
        }
        assertThatThrownBy(() -> store.openOutputFile("files", 0, "plot.png"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no such output file: job=files, index=0, name=plot.png");
        for (String bad : List.of("/etc/passwd", "a/../b", "", "a//b")) {
            assertThatThrownBy(() -> store.storeResult(
                            "files",
                            0,
                            ResultStatus.VALUE,
                            new ByteArrayInputStream(bytes("v")),
                            List.of(new NewOutputFile(bad, new ByteArrayInputStream(bytes("x"))))))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid output file name");
        }
        assertThat(store.job("files").orElseThrow().done()).isEqualTo(1);
    }

    @Test
    void shouldDeleteEveryStoredRowOfAJob() throws SQLException {
        open().submitJob("keep", payloads(1));
        store.storeResult("keep", 0, ResultStatus.VALUE, bytes("k"));
        store.submitJob("del", payloads(3));
        store.storeResult(
                "del",
                0,
                ResultStatus.VALUE,
                new PatternStream(1, 2 * Chunks.CHUNK),
                List.of(new NewOutputFile("f", new ByteArrayInputStream(bytes("x")))));

        assertThat(store.deleteJob("del")).isTrue();
        assertThat(store.deleteJob("del")).isFalse();
        store.close();

        Path db = dir.resolve("jobs.db");
        assertThat(count(db, "job")).isEqualTo(1);
        assertThat(count(db, "task")).isZero();
        assertThat(count(db, "result")).isEqualTo(1);
        assertThat(count(db, "result_chunk")).isEqualTo(1);
        assertThat(count(db, "output_file")).isZero();
        assertThat(count(db, "output_chunk")).isZero();
    }

    @Test
    void shouldKeepPropertiesAcrossRestarts() {
        open().putProperty("secret", bytes("s3cr3t"));
        store.putProperty("secret", bytes("rotated"));
        assertThat(reopen().property("secret"))
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("rotated")));
        assertThat(store.property("absent")).isEmpty();
    }

    @Test
    void shouldFailClearlyOnAFileThatIsNotAStore() throws IOException {
        Path junk = dir.resolve("junk.db");
        Files.write(junk, bytes("this is not a database, just some text long enough to have a header"));
        assertThatThrownBy(() -> JobStore.open(junk))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("store corrupt during open")
                .hasMessageContaining("path=" + junk)
                .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
    }

    @Test
    void shouldRejectUseAfterClose() {
        open().close();
        store.close();
        assertThatThrownBy(() -> store.jobs())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void shouldServeReadsWhileALargeWriteIsInProgress() throws Exception {
        open().submitJob("r", payloads(2));
        store.storeResult("r", 0, ResultStatus.VALUE, bytes("ready"));
        // The writer blocks inside storeResult, halfway through a value, until the reads below are done.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream gated = new InputStream() {
            private int left = 2 * Chunks.CHUNK;

            @Override
            public int read() throws IOException {
                if (left == Chunks.CHUNK) {
                    inside.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) {
                            throw new IOException("not released within 30 s");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                return left-- > 0 ? 1 : -1;
            }
        };
        CompletableFuture<StoreOutcome> written =
                CompletableFuture.supplyAsync(() -> store.storeResult("r", 1, ResultStatus.VALUE, gated, List.of()));
        assertThat(inside.await(30, TimeUnit.SECONDS))
                .as("writer inside its transaction")
                .isTrue();
        try (ResultCursor c = store.results("r", 0)) {
            assertThat(values(c)).containsExactly("0:VALUE:ready");
        }
        assertThat(store.jobs()).extracting(JobInfo::done).containsExactly(1);
        release.countDown();

        assertThat(written.get(30, TimeUnit.SECONDS)).isEqualTo(StoreOutcome.STORED);
        assertThat(store.job("r").orElseThrow().state()).isEqualTo(JobState.COMPLETE);
        Set<Integer> seen = new TreeSet<>();
        try (ResultCursor c = store.results("r", 0)) {
            while (c.next()) {
                seen.add(c.index());
            }
        }
        assertThat(seen).containsExactly(0, 1);
    }

    @Test
    void shouldStoreNothingWhenTheValueStreamFails() {
        open().submitJob("io", payloads(1));
        // Fails for good after CHUNK + 10 bytes (InputStream's own read(byte[]) would swallow a later failure).
        InputStream failing = new InputStream() {
            private int left = Chunks.CHUNK + 10;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new IOException("connection reset by daemon");
                }
                int n = Math.min(len, left);
                left -= n;
                return n;
            }
        };
        assertThatThrownBy(() -> store.storeResult("io", 0, ResultStatus.VALUE, failing, List.of()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("store result of job io index 0")
                .hasRootCauseMessage("connection reset by daemon");
        assertThat(store.pendingTasks("io", 0, 10)).hasSize(1);
        assertThat(store.storeResult("io", 0, ResultStatus.VALUE, bytes("v"))).isEqualTo(StoreOutcome.STORED);
    }

    @Test
    void shouldStoreExactlyOnceUnderConcurrentWritersAndReaders() throws Exception {
        int total = 200;
        open().submitJob("conc", payloads(total));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> stored = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 50;
                // Each writer stores every task, starting at a different one: each task answers four times.
                stored.add(pool.submit(() -> {
                    int mine = 0;
                    for (int k = 0; k < total; k++) {
                        int i = (offset + k) % total;
                        if (store.storeResult("conc", i, ResultStatus.VALUE, bytes("r" + i)) == StoreOutcome.STORED) {
                            mine++;
                        }
                        if (k % 50 == 0) {
                            store.jobs();
                        }
                    }
                    return mine;
                }));
            }
            int sum = 0;
            for (Future<Integer> f : stored) {
                sum += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(sum).isEqualTo(total);
        } finally {
            pool.shutdownNow();
        }
        try (ResultCursor c = store.results("conc", 0)) {
            List<String> all = values(c);
            assertThat(all).hasSize(total).first().isEqualTo("0:VALUE:r0");
        }
        assertThat(store.job("conc").orElseThrow())
                .extracting(JobInfo::done, JobInfo::state)
                .containsExactly(total, JobState.COMPLETE);
    }

    /** {@code size} bytes of a pattern that depends on {@code seed} and position, generated, never in an array. */
    static final class PatternStream extends InputStream {
        private final int seed;
        private final long size;
        private long pos;

        PatternStream(int seed, long size) {
            this.seed = seed;
            this.size = size;
        }

        @Override
        public int read() {
            if (pos >= size) {
                return -1;
            }
            long p = pos++;
            return (int) ((p * 31 + seed * 7 + (p >>> 10)) & 0xff);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) read();
            }
            return n;
        }
    }
}
