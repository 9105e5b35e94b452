package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.Daemons;
import io.jmirai.Job;
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
 * Jobs larger than one request and than the server's window (a server in this JVM with a window of 7 tasks, its
 * daemon a JVM of its own): a 40 MB job is stored in parts, and a job of 50 tasks runs 7 at a time from the store.
 */
@Tag("integration")
@Timeout(300)
class JobPartsTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void bigJobsAreStoredInPartsAndRunAWindowAtATime() throws Exception {
        Path credentials = dir.resolve("server.credentials");
        String classpath = Path.of("target", "test-classes").toAbsolutePath().toString();
        String before = System.setProperty(JobRunner.WINDOW_PROP_NAME, "7");
        try (JMiraiServer server = JMiraiServer.start(
                        "tcp://127.0.0.1:0",
                        dir.resolve("jobs.db"),
                        credentials,
                        1,
                        classpath,
                        new PrintStream(OutputStream.nullOutputStream()));
                Daemons client = Daemons.connect(credentials, WAIT)) {
            Job<Integer> many =
                    client.submitJob("many", IntStream.range(0, 50).boxed().toList(), x -> x + 1);
            assertThat(many.results(WAIT))
                    .isEqualTo(IntStream.rangeClosed(1, 50).boxed().toList());

            List<byte[]> big = List.of(new byte[20_000_000], new byte[20_000_001]); // 40 MB: more than one part
            Job<Integer> parts = client.submitJob("parts", big, b -> b.length);
            assertThat(parts.status().total()).isEqualTo(2);
            assertThat(parts.results(WAIT)).containsExactly(20_000_000, 20_000_001);
            assertThat(server.store().job("parts").orElseThrow().state().name()).isEqualTo("COMPLETE");
        } finally {
            if (before == null) {
                System.clearProperty(JobRunner.WINDOW_PROP_NAME);
            } else {
                System.setProperty(JobRunner.WINDOW_PROP_NAME, before);
            }
        }
    }
}
