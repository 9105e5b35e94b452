package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.protocol.Handshake;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone {@code jmirai-daemon.jar}, started by hand as on a remote machine: the secret in a 0600 file, the
 * task classes through {@code --classpath}.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class StandaloneDaemonTest {
    static final Path DAEMON_JAR = Path.of("..", "daemon", "target", "jmirai-daemon.jar");

    @TempDir
    Path dir;

    @Test
    void shouldKeepBouncyCastleOutOfTheDaemonJar() throws Exception {
        assertThat(DAEMON_JAR).exists();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(DAEMON_JAR.toFile())) {
            assertThat(jar.stream().map(java.util.jar.JarEntry::getName))
                    .as("the daemon reads PEM with the JDK; only the host makes certificates")
                    .noneMatch(name -> name.startsWith("org/bouncycastle/"))
                    .anyMatch(name -> name.equals("io/jmirai/tls/PinnedTrustManager.class"));
        }
    }

    @Test
    void shouldRunTasksInTheStandaloneJarWithAClasspathOption() throws Exception {
        assertThat(DAEMON_JAR).as("built by the daemon module's package phase").exists();
        try (Daemons daemons = Daemons.builder().start()) {
            Path secret = dir.resolve("secret");
            Files.writeString(secret, daemons.secret());
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            String classpath = Path.of("target", "test-classes").toAbsolutePath()
                    + File.pathSeparator
                    + Path.of("target", "classes").toAbsolutePath();
            ProcessBuilder pb = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            DAEMON_JAR.toString(),
                            daemons.url(),
                            "--secret-file=" + secret,
                            "--classpath=" + classpath,
                            "--maxtasks=2")
                    .redirectErrorStream(true);
            pb.environment().remove(Handshake.SECRET_ENV);
            Process p = pb.start();
            try {
                Values.Point origin = new Values.Point(1, 2);
                assertThat(daemons.mirai(() -> origin.scaled(10)).get(Duration.ofSeconds(30)))
                        .isEqualTo(new Values.Point(10, 20));
                assertThat(daemons.mirai(() -> System.getProperty("java.class.path"))
                                .get(Duration.ofSeconds(30)))
                        .endsWith("jmirai-daemon.jar");
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue())
                        .as(new String(p.getInputStream().readAllBytes()))
                        .isEqualTo(io.jmirai.api.ExitCode.MAX_TASKS);
                assertThat(daemons.status().daemons().get(0).id()).isEqualTo("shared1");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
