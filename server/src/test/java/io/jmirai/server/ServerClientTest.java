package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.Daemons;
import io.jmirai.ErrorValue;
import io.jmirai.Mirai;
import io.jmirai.Status;
import io.jmirai.api.DaemonContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of a real server process ({@code java -jar target/jmirai-server.jar --local 1}, its daemon a JVM of its
 * own): {@code Daemons.connect(credentialsFile)} in this JVM runs mirai and map through it, close leaves it running,
 * {@code shutdownServer} stops it, and a restarted server fails the tasks that were there and takes the client back.
 */
@Tag("integration")
@Timeout(300)
class ServerClientTest {
    // Generous: JVM starts on a 2-core machine shared with other builds take seconds each.
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ServerProcess startServer(String url) throws Exception {
        ServerProcess server = ServerProcess.server(
                "--url",
                url,
                "--store",
                dir.resolve("jobs.db").toString(),
                "--credentials",
                credentials().toString(),
                "--local",
                "1",
                "--classpath",
                Path.of("target", "test-classes").toAbsolutePath().toString());
        server.await(l -> l.equals("daemons: 1 connected"), WAIT);
        return server;
    }

    private Path credentials() {
        return dir.resolve("server.credentials");
    }

    @Test
    void shouldRunMiraiAndMapThroughTheServerOverTls() throws Exception {
        try (ServerProcess server = startServer("tls+tcp://127.0.0.1:0");
                Daemons client = Daemons.connect(credentials(), WAIT)) {
            assertThat(client.isConnected()).isTrue();
            int base = 6;
            assertThat(client.mirai(() -> base * 7).get(WAIT)).isEqualTo(42);
            assertThat(client.map(List.of(1, 2, 3), x -> x * x).collect(io.jmirai.MapOptions.defaults(), WAIT))
                    .containsExactly(1, 4, 9);
            Mirai<Integer> failing = client.mirai(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(data(failing)).isInstanceOf(ErrorValue.class);
            Status status = client.status();
            assertThat(status.url()).isEqualTo(Credentials.read(credentials()).url());
            assertThat(status.connections()).as("the server's daemons").isEqualTo(1);
            assertThat(status.completed()).isGreaterThanOrEqualTo(5);
            assertThat(server.process.isAlive()).isTrue();
        }
    }

    @Test
    void closeDisconnectsTheClientOnlyAndShutdownServerStopsIt() throws Exception {
        try (ServerProcess server = startServer("tcp://127.0.0.1:0")) {
            Daemons first = Daemons.connect(credentials(), WAIT);
            Mirai<Integer> slow = first.mirai(() -> {
                Thread.sleep(60_000); // the task, not the test: it must still be running when the client goes
                return 1;
            });
            first.close();
            assertThat(data(slow)).isInstanceOf(ErrorValue.class);
            assertThatThrownBy(() -> first.mirai(() -> 1)).isInstanceOf(IllegalStateException.class);
            assertThat(server.process.isAlive()).isTrue();

            try (Daemons second = Daemons.connect(credentials(), WAIT)) {
                // the first client's slow task was cancelled at the server: its daemon is free for this one
                assertThat(second.mirai(() -> "again").get(WAIT)).isEqualTo("again");
                List<Mirai<Integer>> setups = second.everywhere(() -> {
                    DaemonContext.put("db", "jdbc:test");
                    return 1;
                });
                assertThat(Mirai.collect(setups, WAIT)).containsExactly(1); // the server's one daemon
                assertThat(second.mirai(() -> DaemonContext.get("db")).get(WAIT))
                        .isEqualTo("jdbc:test");
                assertThat(Mirai.collect(second.reset(), WAIT))
                        .as("the server's one daemon reset, dropping the setup's entry")
                        .containsExactly(1);
                assertThat(second.mirai(() -> String.valueOf(DaemonContext.<Object>get("db")))
                                .get(WAIT))
                        .isEqualTo("null");
                second.scale(2); // the server keeps a local pool (--local 1): it starts one more
                awaitConnections(second, 2);
                second.shutdownServer();
                assertThat(server.exitCode(WAIT)).isZero();
            }
        }
    }

    private static void awaitConnections(Daemons client, int n) {
        org.awaitility.Awaitility.await("the server's daemons")
                .atMost(WAIT)
                .until(() -> client.status().connections() == n);
    }

    @Test
    void shutdownServerOnEmbeddedDaemonsIsAClearError() {
        try (Daemons embedded = Daemons.builder().start()) {
            assertThatThrownBy(embedded::shutdownServer)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not connected to a server");
        }
    }

    @Test
    void aClientWithTheWrongSecretIsRefused() throws Exception {
        try (ServerProcess server = startServer("tcp://127.0.0.1:0")) {
            Credentials c = Credentials.read(credentials());
            Path wrong = dir.resolve("wrong.credentials");
            new Credentials(c.url(), "not-the-secret", null).write(wrong);
            assertThatThrownBy(() -> Daemons.connect(wrong, WAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused");
            assertThat(server.process.isAlive()).isTrue();
        }
    }

    @Test
    void aServerRestartFailsTheTasksThereAndTheClientReconnects() throws Exception {
        ServerProcess server = startServer("tcp://127.0.0.1:0");
        try (Daemons client = Daemons.connect(credentials(), WAIT)) {
            Path started = dir.resolve("started");
            String marker = started.toString();
            Mirai<Integer> slow = client.mirai(() -> {
                Files.writeString(Path.of(marker), "yes");
                Thread.sleep(120_000); // the task: still running when the server is killed
                return 1;
            });
            awaitFile(started);
            server.kill9();
            Object lost = data(slow);
            assertThat(lost).isInstanceOf(ErrorValue.class);
            assertThat(((ErrorValue) lost).code()).isEqualTo(ErrorValue.CONNECTION_RESET);
            assertThat(((ErrorValue) lost).message()).contains("server");

            server = startServer("tcp://127.0.0.1:0");
            // submitted while the client may still be dialing: it waits for the connection
            assertThat(client.mirai(() -> "back").get(WAIT)).isEqualTo("back");
        } finally {
            server.close();
        }
    }

    private static Object data(Mirai<?> m) throws Exception {
        return Mirai.collect(List.of(m), WAIT).get(0);
    }

    /** Waits for a file a task writes, polling (the task runs in another JVM); bounded by {@link #WAIT}. */
    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no file within " + WAIT + ": " + file);
            }
            Thread.onSpinWait();
            Thread.sleep(50); // polling another process's file system, not synchronising threads
        }
    }
}
