package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The standalone server as a user runs it: {@code java -jar target/jmirai-server.jar}, a daemon in a JVM of its own
 * dialing the URL from the credentials file, then {@code kill -9} of the server and a restart on the same store.
 */
@Tag("integration")
@Timeout(240)
class ServerProcessTest {
    // Generous: JVM starts on a 2-core machine shared with other builds take seconds each.
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void helpNamesEveryOption() throws Exception {
        try (ServerProcess help = ServerProcess.server("--help")) {
            help.await(l -> l.contains("bad arguments"), WAIT); // the last line of the help
            assertThat(help.printed())
                    .contains("--url=URL", "--store=PATH", "--credentials=PATH", "--local=N", "--classpath=CP");
            assertThat(help.exitCode(WAIT)).isZero();
        }
    }

    @Test
    void missingOptionIsABadArgument() throws Exception {
        try (ServerProcess bad = ServerProcess.server("--url", "tcp://127.0.0.1:0")) {
            assertThat(bad.await(l -> l.contains("Missing required option"), WAIT))
                    .contains("--store");
            assertThat(bad.exitCode(WAIT)).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1:0", "tls+tcp://127.0.0.1:0"})
    void restartOnTheSameStoreAdmitsTheDaemonsThatRedial(String requested) throws Exception {
        Path store = dir.resolve("jobs.db");
        Path credentialsFile = dir.resolve("server.credentials");
        boolean tls = requested.startsWith("tls");
        String[] args = {
            "--url",
            requested,
            "--store",
            store.toString(),
            "--credentials",
            credentialsFile.toString(),
            "--local",
            tls ? "1" : "0"
        };
        int expected = tls ? 2 : 1; // the TLS run also keeps one local daemon of the server's own
        ServerProcess server = ServerProcess.server(args);
        ServerProcess daemon = null;
        try {
            String url = server.await(l -> l.startsWith("jmirai server listening on "), WAIT)
                    .substring("jmirai server listening on ".length());
            assertThat(url)
                    .startsWith(requested.substring(0, requested.length() - 1))
                    .doesNotEndWith(":0");
            Credentials credentials = Credentials.read(credentialsFile);
            assertThat(credentials.url()).isEqualTo(url);
            assertThat(Files.getPosixFilePermissions(credentialsFile))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(credentials.certificatePem() != null).isEqualTo(tls);

            Path secretFile = dir.resolve("secret");
            Files.createFile(
                    secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(secretFile, credentials.secret(), StandardCharsets.UTF_8);
            List<String> daemonArgs =
                    new ArrayList<>(List.of(url, "--secret-file", secretFile.toString(), "--autoexit", "never"));
            if (tls) {
                Path pem = JMiraiServer.certificateFile(credentialsFile);
                assertThat(Files.readString(pem, StandardCharsets.UTF_8)).isEqualTo(credentials.certificatePem());
                daemonArgs.addAll(List.of("--cert-pem-file", pem.toString()));
            }
            daemon = ServerProcess.daemon(daemonArgs.toArray(String[]::new));
            server.await(l -> l.equals("daemons: " + expected + " connected"), WAIT);

            server.kill9();
            server = ServerProcess.server(args);
            String again = server.await(l -> l.startsWith("jmirai server listening on "), WAIT);
            assertThat(again).isEqualTo("jmirai server listening on " + url);
            assertThat(Credentials.read(credentialsFile)).isEqualTo(credentials);
            server.await(l -> l.equals("daemons: " + expected + " connected"), WAIT);
            assertThat(daemon.process.isAlive()).as("the same daemon redialed").isTrue();
        } finally {
            server.close();
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
