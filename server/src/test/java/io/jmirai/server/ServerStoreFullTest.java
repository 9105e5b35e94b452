package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.Daemons;
import io.jmirai.Job;
import io.jmirai.JobSummary;
import io.jmirai.server.store.StoreOptions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose store is full ({@code StoreOptions.maxBytes} standing in for a full disk; the server in this JVM,
 * its daemon a JVM of its own): a job whose results cannot be stored fails its waiters with a clear error, and the
 * server keeps serving tasks, listings and other jobs; deleting the job frees its room.
 */
@Tag("integration")
@Timeout(300)
class ServerStoreFullTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aJobWhoseResultsCannotBeStoredFailsClearlyAndTheServerKeepsServing() throws Exception {
        Path credentials = dir.resolve("server.credentials");
        String classpath = Path.of("target", "test-classes").toAbsolutePath().toString();
        try (JMiraiServer server = JMiraiServer.start(
                        "tcp://127.0.0.1:0",
                        dir.resolve("jobs.db"),
                        credentials,
                        1,
                        classpath,
                        new PrintStream(OutputStream.nullOutputStream()),
                        StoreOptions.defaults().maxBytes(1 << 20));
                Daemons client = Daemons.connect(credentials, WAIT)) {
            Job<byte[]> big = client.submitJob(
                    "big", IntStream.range(0, 8).boxed().toList(), x -> new byte[400_000]); // 3.2 MB > 1 MiB
            assertThatThrownBy(() -> big.results(WAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("results of job big cannot be stored")
                    .hasMessageContaining("full");

            assertThat(client.mirai(() -> "still serving").get(WAIT)).isEqualTo("still serving");
            assertThat(client.jobs()).extracting(JobSummary::id).containsExactly("big");
            assertThat(big.delete()).isTrue();
            Job<Integer> small = client.submitJob("small", List.of(1, 2, 3), x -> x * 2);
            assertThat(small.results(WAIT)).containsExactly(2, 4, 6);
            assertThat(server.store().check()).isEmpty();
        }
    }
}
