package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.launch.DaemonJar;
import io.jmirai.transport.protocol.Handshake;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the host and a hand-started daemon log in a real run (the tests' SLF4J binding, slf4j-simple, writes to
 * stderr; the daemon jar ships the same): the events an operator needs, and never the session secret or a per-daemon
 * token, not even when handshakes are refused for a wrong token and a wrong secret.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class LoggingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** Everything written to {@code System.err} while it runs, still passed on to the real stderr. */
    private static String captureStderr(ThrowingRunnable body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        OutputStream tee = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        synchronized (tee) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private Process daemon(String url, Path secretFile, String envSecret, Path stderr) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                DaemonJar.locate().toString(),
                url,
                "--classpath="
                        + Path.of("target", "test-classes").toAbsolutePath()
                        + File.pathSeparator
                        + Path.of("target", "classes").toAbsolutePath(),
                "--dial-timeout=5s"));
        if (secretFile != null) {
            cmd.add("--secret-file=" + secretFile);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(stderr.toFile());
        pb.environment().remove(Handshake.SECRET_ENV);
        if (envSecret != null) {
            pb.environment().put(Handshake.SECRET_ENV, envSecret);
        }
        return pb.start();
    }

    @Test
    void shouldLogWhatAnOperatorNeedsAndNeverTheSecretOrAToken() throws Exception {
        Path goodLog = dir.resolve("good.log");
        Path badTokenLog = dir.resolve("bad-token.log");
        Path badSecretLog = dir.resolve("bad-secret.log");
        List<String> secrets = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        String hostLog = captureStderr(() -> {
            try {
                try (Daemons daemons = Daemons.builder().perDaemonUrls(2).start()) {
                    secrets.add(daemons.secret());
                    String url = daemons.regenerate(1); // tcp://127.0.0.1:PORT/1/TOKEN
                    String token = url.substring(url.lastIndexOf('/') + 1);
                    secrets.add(token);
                    String staleUrl = daemons.regenerate(2);
                    secrets.add(staleUrl.substring(staleUrl.lastIndexOf('/') + 1));
                    String wrongToken = daemons.regenerate(2).replaceAll("/2/.*$", "/2/" + token); // slot 1's token
                    Path secret = dir.resolve("secret");
                    Files.writeString(secret, daemons.secret());
                    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

                    processes.add(daemon(url, secret, null, goodLog));
                    Process badToken = daemon(wrongToken, secret, null, badTokenLog);
                    processes.add(badToken);
                    Process badSecret = daemon(daemons.url(), null, "not-the-secret-" + token, badSecretLog);
                    processes.add(badSecret);
                    assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
                    assertThat(badToken.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                            .isTrue();
                    assertThat(badSecret.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                            .isTrue();
                    assertThat(badSecret.exitValue()).as("refused").isEqualTo(77);
                }
                // the host has closed: the good daemon exits by itself (--autoexit=now)
                assertThat(processes.get(0).waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isTrue();
            } finally {
                processes.forEach(Process::destroyForcibly);
            }
        });
        String daemonLogs = Files.readString(goodLog) + Files.readString(badTokenLog) + Files.readString(badSecretLog);

        assertThat(hostLog)
                .contains("INFO io.jmirai.dispatcher.Dispatcher - listening: url=tcp://127.0.0.1:")
                .contains("daemon connected: daemon=1, pid=")
                .contains("WARN io.jmirai.dispatcher.DaemonListener - handshake refused: remote=/127.0.0.1:")
                .contains("daemon disconnected: daemon=1");
        assertThat(Files.readString(goodLog))
                .contains("daemon starting: url=tcp://127.0.0.1:")
                .contains("/1/***")
                .contains("connected to host: url=")
                .contains("daemon exiting: code=0");
        assertThat(Files.readString(badTokenLog))
                .contains("host refused this daemon")
                .contains("/2/***");
        assertThat(Files.readString(badSecretLog)).contains("jmirai-daemon: ");
        for (String s : secrets) {
            assertThat(s).hasSizeGreaterThanOrEqualTo(16);
            assertThat(hostLog).as("the host's log").doesNotContain(s);
            assertThat(daemonLogs).as("the daemons' logs").doesNotContain(s);
        }
    }
}
