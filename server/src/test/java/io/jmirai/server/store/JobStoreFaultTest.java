package io.jmirai.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk (the store's size cap stands in for it) and a damaged file: clear errors, the rest still served. */
class JobStoreFaultTest {
    private static final byte FILL = 0x5A;
    private static final int PAGE = 4096; // SQLite's default page size, which the store keeps

    @TempDir
    Path dir;

    @AutoClose
    JobStore store;

    /** A closed store with job "big" (one 1 MiB result of FILL bytes) and job "small" (one result "ok"). */
    private Path storeWithABigAndASmallJob() {
        Path db = dir.resolve("jobs.db");
        try (JobStore s = JobStore.open(db)) {
            s.submitJob("big", List.of(new byte[1]));
            byte[] value = new byte[1 << 20];
            Arrays.fill(value, FILL);
            s.storeResult("big", 0, ResultStatus.VALUE, value);
            s.submitJob("small", List.of(new byte[1]));
            s.storeResult("small", 0, ResultStatus.VALUE, "ok".getBytes(UTF_8));
        }
        return db;
    }

    /** Offset of a page holding only FILL after its 4-byte header: an overflow page of "big"'s value. */
    private static long overflowPageOf(FileChannel file) throws IOException {
        ByteBuffer page = ByteBuffer.allocate(PAGE);
        for (long off = PAGE; off + PAGE <= file.size(); off += PAGE) {
            page.clear();
            file.read(page, off);
            boolean fill = true;
            for (int i = 4; i < PAGE && fill; i++) {
                fill = page.get(i) == FILL;
            }
            if (fill) {
                return off;
            }
        }
        throw new AssertionError("no overflow page of the big value found");
    }

    private static void overwrite(Path db, long offsetInPage, byte[] bytes) throws IOException {
        try (FileChannel file = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(bytes), overflowPageOf(file) + offsetInPage);
            file.force(true);
        }
    }

    private void assertSmallJobStillServed() {
        assertThat(store.jobs()).extracting(JobInfo::id).containsExactly("big", "small");
        try (ResultCursor c = store.results("small", 0)) {
            assertThat(c.next()).isTrue();
            assertThat(new String(c.valueBytes(), UTF_8)).isEqualTo("ok");
        }
    }

    @Test
    void shouldReportDamageInsideAValueInsteadOfReturningWrongBytes() throws IOException {
        Path db = storeWithABigAndASmallJob();
        overwrite(db, 100, new byte[] {0});

        store = JobStore.open(db);

        assertThat(store.check()).as("SQLite does not look inside values").isEmpty();
        try (ResultCursor c = store.results("big", 0)) {
            assertThat(c.next()).isTrue();
            try (InputStream in = c.value()) {
                assertThatThrownBy(in::readAllBytes)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("stored value damaged: job=big, index=0")
                        .cause()
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("path=" + db)
                        .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
            }
        }
        assertSmallJobStillServed();
    }

    @Test
    void shouldReportABrokenPageChainAndKeepServingTheRest() throws IOException {
        Path db = storeWithABigAndASmallJob();
        overwrite(db, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}); // next page: past the file's end

        store = JobStore.open(db);

        assertThat(store.check()).as("quick_check finds it").isNotEmpty();
        try (ResultCursor c = store.results("big", 0)) {
            assertThat(c.next()).isTrue();
            // Where SQLite notices depends on where the chain breaks: opening the value or reading it.
            assertThatThrownBy(() -> {
                        try (InputStream in = c.value()) {
                            in.readAllBytes();
                        }
                    })
                    .satisfies(e -> assertThat(e instanceof StoreException ? e : e.getCause())
                            .isInstanceOf(StoreException.class)
                            .hasMessageContaining("job=big, index=0")
                            .hasMessageContaining("path=" + db));
        }
        assertSmallJobStillServed();
        store.submitJob("after", List.of(new byte[1]));
        assertThat(store.storeResult("after", 0, ResultStatus.VALUE, new byte[10]))
                .isEqualTo(StoreOutcome.STORED);
    }

    @Test
    void shouldFailAWriteThatDoesNotFitAndKeepEverythingElse() {
        store = JobStore.open(dir.resolve("jobs.db"), StoreOptions.defaults().maxBytes(2 << 20));
        store.submitJob("a", List.of(new byte[1]));
        store.storeResult("a", 0, ResultStatus.VALUE, new JobStoreTest.PatternStream(1, 1 << 20), List.of());
        store.submitJob("b", List.of(new byte[1], new byte[1]));

        assertThatThrownBy(() -> store.storeResult(
                        "b", 0, ResultStatus.VALUE, new JobStoreTest.PatternStream(2, 3 << 19), List.of()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("store full during store result of job b index 0")
                .hasMessageContaining("path=" + dir.resolve("jobs.db"))
                .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.FULL));

        assertThat(store.job("b").orElseThrow().done())
                .as("nothing of the failed write")
                .isZero();
        assertThat(store.pendingTasks("b", 0, 10)).hasSize(2);
        try (ResultCursor c = store.results("a", 0)) {
            assertThat(c.next()).isTrue();
            assertThat(c.value()).hasSameContentAs(new JobStoreTest.PatternStream(1, 1 << 20));
        }
        assertThat(store.deleteJob("a")).as("deleting frees space").isTrue();
        assertThat(store.storeResult("b", 0, ResultStatus.VALUE, new JobStoreTest.PatternStream(2, 3 << 19), List.of()))
                .isEqualTo(StoreOutcome.STORED);
    }
}
