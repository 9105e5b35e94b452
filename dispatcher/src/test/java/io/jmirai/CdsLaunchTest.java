package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jmirai.launch.LocalLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local daemons started with the class-data-sharing archive the daemon module packages next to its jar: the JVM
 * maps it (its own log says so), and a daemon whose jar does not match the archive still starts, without it.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CdsLaunchTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path JAR = Path.of("..", "daemon", "target", "jmirai-daemon.jar");
    private static final Path JSA = Path.of("..", "daemon", "target", "jmirai-daemon.jsa");

    @TempDir
    Path dir;

    private LocalLauncher loggingLauncher() {
        return new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"),
                List.of("-Xlog:cds=info,cds+dynamic=info:file=" + dir.resolve("cds-%p.log")));
    }

    private String log() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> logs = files.filter(p -> p.getFileName().toString().startsWith("cds-"))
                    .toList();
            assertThat(logs).as("one daemon's -Xlog:cds file").hasSize(1);
            return Files.readString(logs.get(0));
        }
    }

    @Test
    void shouldMapTheArchiveNextToTheDaemonJar() throws Exception {
        assumeThat(Files.isRegularFile(JAR) && Files.isRegularFile(JSA))
                .as("the daemon module is packaged with its archive (mvn package; not with -Djmirai.cds.skip)")
                .isTrue();
        LocalLauncher launcher = loggingLauncher().withCds(JAR);
        assertThat(launcher.cdsArchive()).contains(JSA.toAbsolutePath());
        try (Daemons d = Daemons.builder().launcher(launcher).local(1).start()) {
            assertThat(d.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
        }
        assertThat(log()).contains("Mapped dynamic region").doesNotContain("Unable to use shared archive");
    }

    @Test
    void shouldStartWithoutTheArchiveWhenTheJarDoesNotMatchIt() throws Exception {
        assumeThat(Files.isRegularFile(JAR) && Files.isRegularFile(JSA))
                .as("the daemon module is packaged with its archive")
                .isTrue();
        Path jar = Files.copy(JAR, dir.resolve("moved.jar"));
        Path jsa = Files.copy(JSA, dir.resolve("moved.jsa"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().plusSeconds(60)));
        try (Daemons d = Daemons.builder()
                .launcher(loggingLauncher().withCds(jar))
                .local(1)
                .start()) {
            assertThat(d.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
        }
        assertThat(log()).contains("Unable to use shared archive");
    }
}
