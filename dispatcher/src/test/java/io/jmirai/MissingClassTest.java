package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.launch.DaemonJar;
import io.jmirai.transport.protocol.Handshake;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-started daemon whose {@code --classpath} lacks a class a task needs (with remote class loading off) says
 * which class and which option fixes it, and the same task runs once the jar is there, or when the daemon may fetch
 * the class from the host: then a class from {@code --classpath} refers to one from the host.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class MissingClassTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Process daemon(Daemons daemons, String classpath, String... more) throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, daemons.secret());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        DaemonJar.locate().toString(),
                        daemons.url(),
                        "--secret-file=" + secret,
                        "--classpath=" + classpath)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile());
        pb.command().addAll(java.util.List.of(more));
        pb.environment().remove(Handshake.SECRET_ENV);
        return pb.start();
    }

    @Test
    void shouldNameTheMissingClassAndTheClasspathOption() throws Exception {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        try (Daemons daemons = Daemons.builder().start()) {
            Process p = daemon(daemons, testClasses, "--no-class-loading");
            try {
                Object d = DaemonsTest.awaitData(daemons.mirai(HostApiTasks.hello()));
                assertThat(d).isInstanceOf(MiraiError.class);
                assertThat(((MiraiError) d).message())
                        .contains("class not found on the daemon: io.jmirai.MiraiException")
                        .contains("--classpath")
                        .contains("jmirai-dispatcher");
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
        assertThat(Files.readString(dir.resolve("daemon.log")))
                .as("the daemon logs it too")
                .contains("WARN MissingClass - class not found on the daemon: io.jmirai.MiraiException");
        try (Daemons daemons = Daemons.builder().start()) {
            String withApi = testClasses
                    + File.pathSeparator
                    + Path.of("target", "classes").toAbsolutePath();
            Process p = daemon(daemons, withApi);
            try {
                assertThat(daemons.mirai(HostApiTasks.hello()).get(WAIT)).isEqualTo("hello");
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void shouldLetAClassFromTheClasspathReferToAClassFetchedFromTheHost() throws Exception {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        try (Daemons daemons = Daemons.builder().start()) {
            Process p = daemon(daemons, testClasses); // io.jmirai.MiraiException comes from the host
            try {
                assertThat(daemons.mirai(HostApiTasks.hello()).get(WAIT)).isEqualTo("hello");
                assertThat(daemons.mirai(HostApiTasks.loaderOfTheHostApi()).get(WAIT))
                        .as("HostApiTasks from --classpath and MiraiException from the host share one loader")
                        .isEqualTo("jmirai-tasks jmirai-tasks");
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
