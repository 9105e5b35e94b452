package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's command line, in-process: argument errors give exit code 64 and say what is wrong. */
class DaemonMainTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintHelpListingEveryOptionAndExitCode() {
        assertThat(DaemonMain.run("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help)
                .contains("URL", "--autoexit", "--idletime", "--walltime", "--maxtasks", "--[no-]cleanup", "--output")
                .contains("--classpath", "--secret-file", "--secret-stdin", "JMIRAI_SECRET", "--log-level")
                .contains("idle time reached", "wall time reached", "task limit reached");
    }

    @Test
    void shouldRejectAMissingUrl() {
        assertThat(DaemonMain.run()).isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("Missing required parameter: 'URL'");
    }

    @Test
    void shouldRejectAMissingSecret() {
        Path empty = dir.resolve("empty");
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + write(empty, "")))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("no secret");
    }

    @Test
    void shouldRejectASecretFileOthersCanRead() throws Exception {
        Path f = write(dir.resolve("secret"), "s3cret");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + f)).isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("secret file is readable by others");
    }

    @Test
    void shouldRejectBadUrlsAndOptions() {
        Path secret = write(dir.resolve("secret"), "s3cret");
        assertThat(DaemonMain.run("udp://127.0.0.1:1", "--secret-file=" + secret))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("unknown url scheme: scheme=udp");
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + secret, "--idletime=soon"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("--idletime : soon");
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + secret, "--autoexit=maybe"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("--autoexit : maybe");
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + secret, "--classpath=/no/such/dir"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("classpath entry does not exist");
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + secret, "--maxtasks=x"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(DaemonMain.run("tcp://127.0.0.1:1", "--secret-file=" + secret, "--log-level=loud"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(stderr()).contains("--log-level : loud (expected: off, error, warn, info, debug or trace)");
    }

    @Test
    void shouldExitWithCode69WhenTheHostIsUnreachable() throws Exception {
        Path secret = write(dir.resolve("secret"), "s3cret");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(DaemonMain.run(
                        "tcp://127.0.0.1:" + port, "--secret-file=" + secret, "--output", "--dial-timeout=1s"))
                .isEqualTo(ExitCode.UNREACHABLE);
        assertThat(stderr()).contains("cannot reach host");
    }

    @Test
    void shouldParseDurationsInEveryDocumentedForm() {
        assertThat(DaemonMain.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DaemonMain.parseDuration("x", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DaemonMain.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DaemonMain.parseDuration("x", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DaemonMain.parseDuration("x", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DaemonMain.parseDuration("x", "250")).isEqualTo(Duration.ofMillis(250));
        assertThat(DaemonMain.parseDuration("x", "PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DaemonMain.parseDuration("x", null)).isNull();
        assertThatThrownBy(() -> DaemonMain.parseDuration("--walltime", "0s"))
                .hasMessage("--walltime : 0s (expected: > 0)");
        assertThat(DaemonMain.parseAutoExit("after-task")).isEqualTo(AutoExit.AFTER_TASK);
        assertThat(DaemonMain.parseAutoExit("NEVER")).isEqualTo(AutoExit.NEVER);
    }

    private static Path write(Path p, String text) {
        try {
            Files.writeString(p, text);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
