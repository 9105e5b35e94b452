package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LocalProcess;
import io.jmirai.transport.protocol.DaemonKeys;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launchers from a client: a real server process started without daemons of its own ({@code --local 0}); a client
 * in this JVM launches daemons (local processes, and a manual command run as a person would) that connect to the
 * server and run the tasks of every client.
 */
@Tag("integration")
@Timeout(300)
class ClientLaunchTest {
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
                "0");
        server.await(l -> l.equals("daemons: 0 connected"), WAIT);
        return server;
    }

    private Path credentials() {
        return dir.resolve("server.credentials");
    }

    @Test
    void aClientLaunchesLocalDaemonsThatRunEveryClientsTasksUntilItCloses() throws Exception {
        try (ServerProcess server = startServer("tcp://127.0.0.1:0")) {
            Daemons launching = Daemons.connect(credentials(), WAIT);
            List<LocalProcess> started;
            try (Daemons other = Daemons.connect(credentials(), WAIT)) {
                started = launching.launchLocal(2);
                assertThat(started).hasSize(2);
                server.await(l -> l.equals("daemons: 2 connected"), WAIT);
                Set<Long> pids = started.stream().map(p -> p.process().pid()).collect(Collectors.toSet());

                List<Mirai<Long>> mine = new ArrayList<>();
                List<Mirai<Long>> theirs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    mine.add(launching.mirai(() -> ProcessHandle.current().pid()));
                    theirs.add(other.mirai(() -> ProcessHandle.current().pid()));
                }
                assertThat(Mirai.collect(mine, WAIT))
                        .as("the launching client's tasks")
                        .allMatch(pids::contains);
                assertThat(Mirai.collect(theirs, WAIT))
                        .as("another client's tasks")
                        .allMatch(pids::contains);
                assertThat(other.status().connections()).isEqualTo(2);
                assertThatThrownBy(() -> other.scale(3))
                        .as("a server started with --local 0 has no pool of its own to scale")
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("started without --local N");
            }
            launching.close();
            for (LocalProcess p : started) {
                assertThat(p.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("a client's local daemon stops when the client closes")
                        .isTrue();
            }
            server.await(l -> l.equals("daemons: 0 connected"), WAIT);
            assertThat(server.process.isAlive()).isTrue();
        }
    }

    @Test
    void launchRemoteFromAClientGivesCommandsThatConnectToTheServerOverTls() throws Exception {
        List<Process> shells = new ArrayList<>();
        try (ServerProcess server = startServer("tls+tcp://127.0.0.1:0");
                Daemons launching = Daemons.connect(credentials(), WAIT);
                Daemons other = Daemons.connect(credentials(), WAIT)) {
            String secret = Credentials.read(credentials()).secret();
            LaunchConfig.Manual manual = LaunchConfig.manual()
                    .java(ServerProcess.java())
                    .jar(Path.of("..", "daemon", "target", "jmirai-daemon.jar")
                            .toAbsolutePath()
                            .normalize()
                            .toString())
                    .daemonOptions(DaemonOptions.defaults()
                            .classpath(Path.of("target", "test-classes").toAbsolutePath()
                                    + File.pathSeparator
                                    + Path.of("target", "classes").toAbsolutePath()));
            List<LaunchCommand> commands = launching.launchRemote(2, manual);
            assertThat(commands).hasSize(2);
            for (LaunchCommand c : commands) {
                assertThat(c.shell())
                        .doesNotContain(secret)
                        .contains(Credentials.read(credentials()).url());
                assertThat(c.secretLine())
                        .as("the daemon's own key, derived for a slot the server reserved")
                        .isEqualTo(DaemonKeys.derive(secret, c.slots().get(0), ""));
                // What a person does: paste the command line, then the secret line.
                ProcessBuilder pb = new ProcessBuilder("sh", "-c", c.shell()).redirectErrorStream(true);
                pb.environment().remove("JMIRAI_SECRET");
                Process p = pb.start();
                shells.add(p);
                try (OutputStream in = p.getOutputStream()) {
                    in.write((c.secretLine() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            server.await(l -> l.equals("daemons: 2 connected"), WAIT);
            assertThat(other.status().daemons())
                    .filteredOn(io.jmirai.Status.DaemonStatus::online)
                    .extracting(io.jmirai.Status.DaemonStatus::id)
                    .containsExactlyInAnyOrderElementsOf(commands.stream()
                            .map(c -> String.valueOf(c.slots().get(0)))
                            .toList());
            assertThat(other.map(List.of(1, 2, 3), x -> x * 10).collect(io.jmirai.MapOptions.defaults(), WAIT))
                    .containsExactly(10, 20, 30);
            assertThat(launching.mirai(() -> "from the launching client").get(WAIT))
                    .isEqualTo("from the launching client");
        } finally {
            for (Process p : shells) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
