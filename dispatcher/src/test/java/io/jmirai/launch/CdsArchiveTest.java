package io.jmirai.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which class-data-sharing archive a local launch uses, and how it orders the classpath (files only, no JVM). */
class CdsArchiveTest {
    @TempDir
    Path dir;

    private Path file(String name, Instant modified) throws Exception {
        Path p = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void shouldFindTheArchiveNextToTheJarWhenItIsNewer() throws Exception {
        Path jar = file("jmirai-daemon.jar", Instant.parse("2026-01-01T00:00:00Z"));
        Path jsa = file("jmirai-daemon.jsa", Instant.parse("2026-01-01T00:00:01Z"));
        CdsArchive a = CdsArchive.next(jar);
        assertThat(a).isNotNull();
        assertThat(a.archive()).isEqualTo(jsa.toAbsolutePath());
        assertThat(a.jvmArgs())
                .containsExactly(
                        "-XX:SharedArchiveFile=" + jsa.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    @Test
    void shouldIgnoreAnArchiveOlderThanItsJar() throws Exception {
        Path jar = file("jmirai-daemon.jar", Instant.parse("2026-01-01T00:00:01Z"));
        file("jmirai-daemon.jsa", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(CdsArchive.next(jar)).isNull();
    }

    @Test
    void shouldFindNothingWithoutAnArchiveOrForAClassDirectory() throws Exception {
        Path jar = file("app.jar", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(CdsArchive.next(jar)).isNull();
        assertThat(CdsArchive.next(dir)).isNull();
        assertThat(CdsArchive.next(dir.resolve("missing.jar"))).isNull();
    }

    @Test
    void shouldPutTheArchivedJarFirstOnTheClasspathOnce() throws Exception {
        Path jar = file("jmirai-daemon.jar", Instant.parse("2026-01-01T00:00:00Z"));
        file("jmirai-daemon.jsa", Instant.parse("2026-01-01T00:00:01Z"));
        CdsArchive a = CdsArchive.next(jar);
        String sep = File.pathSeparator;
        assertThat(a.classpath("/x/app.jar" + sep + jar + sep + "/y/classes"))
                .isEqualTo(jar.toAbsolutePath() + sep + "/x/app.jar" + sep + "/y/classes");
        assertThat(a.classpath(jar.toString())).isEqualTo(jar.toAbsolutePath().toString());
    }

    @Test
    void shouldBeOffWhenTheHostSaysSo() {
        String before = System.getProperty(CdsArchive.CDS_PROP_NAME);
        System.setProperty(CdsArchive.CDS_PROP_NAME, "false");
        try {
            assertThat(CdsArchive.find()).isNull();
        } finally {
            if (before == null) {
                System.clearProperty(CdsArchive.CDS_PROP_NAME);
            } else {
                System.setProperty(CdsArchive.CDS_PROP_NAME, before);
            }
        }
    }
}
