package io.jmirai.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link DaemonJar} looks for the daemon jar, and in which order, on fake file trees. */
class DaemonJarTest {
    private static final String V = DaemonJar.version();

    @TempDir
    Path dir;

    private final Map<String, String> props = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    private DaemonJar.Lookup lookup() {
        props.putIfAbsent("user.home", dir.resolve("home").toString());
        props.putIfAbsent("java.class.path", "");
        return DaemonJar.Lookup.of(props, env);
    }

    /** A jar whose manifest runs the daemon and that holds its main class (an empty stand-in). */
    private static Path executableJar(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, DaemonJar.DAEMON_MAIN);
        try (OutputStream out = Files.newOutputStream(path);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("io/jmirai/daemon/DaemonMain.class"));
            jar.closeEntry();
        }
        return path;
    }

    /** A jar that holds the daemon's main class but runs nothing: the plain library jar. */
    private static Path plainJar(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        try (OutputStream out = Files.newOutputStream(path);
                JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("io/jmirai/daemon/DaemonMain.class"));
            jar.closeEntry();
        }
        return path;
    }

    @Test
    void shouldKnowItsOwnVersionAndCoordinates() {
        assertThat(V).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(DaemonJar.coordinates()).isEqualTo("io.jmirai:jmirai-daemon:" + V + ":jar:all");
    }

    @Test
    void shouldPreferTheSystemPropertyOverEverythingElse() throws IOException {
        Path byProperty = executableJar(dir.resolve("a/daemon.jar"));
        Path byEnv = executableJar(dir.resolve("b/daemon.jar"));
        props.put(DaemonJar.PATH_PROP_NAME, byProperty.toString());
        env.put(DaemonJar.PATH_ENV, byEnv.toString());
        assertThat(DaemonJar.locate(lookup())).isEqualTo(byProperty);
        props.remove(DaemonJar.PATH_PROP_NAME);
        assertThat(DaemonJar.locate(lookup())).isEqualTo(byEnv);
    }

    @Test
    void shouldRefuseAnOverrideThatIsNotAFile() {
        props.put(DaemonJar.PATH_PROP_NAME, dir.resolve("nope.jar").toString());
        assertThatThrownBy(() -> DaemonJar.locate(lookup()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("-Djmirai.daemon.jar=" + dir.resolve("nope.jar"))
                .hasMessageContaining("is not a file");
        props.clear();
        env.put(DaemonJar.PATH_ENV, dir.toString());
        assertThatThrownBy(() -> DaemonJar.locate(lookup())).hasMessageContaining("JMIRAI_DAEMON_JAR=" + dir);
    }

    @Test
    void shouldTakeAnExecutableDaemonJarOnTheClasspath() throws IOException {
        Path jar = executableJar(dir.resolve("lib/jmirai-daemon-" + V + "-all.jar"));
        props.put("java.class.path", dir.resolve("app.jar") + File.pathSeparator + jar);
        assertThat(DaemonJar.locate(lookup())).isEqualTo(jar);
    }

    @Test
    void shouldTakeTheExecutableJarBesideThePlainOneOnTheClasspath() throws IOException {
        Path plain = plainJar(dir.resolve("repo/jmirai-daemon-" + V + ".jar"));
        Path all = executableJar(dir.resolve("repo/jmirai-daemon-" + V + "-all.jar"));
        props.put("java.class.path", plain.toString());
        assertThat(DaemonJar.locate(lookup())).isEqualTo(all);
    }

    @Test
    void shouldTakeTheBuildTreesJarBesideTheDaemonClasses() throws IOException {
        Path classes = dir.resolve("daemon/target/classes");
        Files.createDirectories(classes.resolve("io/jmirai/daemon"));
        Files.createFile(classes.resolve("io/jmirai/daemon/DaemonMain.class"));
        Path jar = executableJar(dir.resolve("daemon/target/jmirai-daemon.jar"));
        props.put("java.class.path", classes.toString());
        assertThat(DaemonJar.locate(lookup())).isEqualTo(jar);
    }

    @Test
    void shouldFallBackToTheLocalMavenRepositoryForThisVersion() throws IOException {
        Path inHome = executableJar(
                dir.resolve("home/.m2/repository/io/jmirai/jmirai-daemon/" + V + "/jmirai-daemon-" + V + "-all.jar"));
        assertThat(DaemonJar.locate(lookup())).isEqualTo(inHome);
        Path custom =
                executableJar(dir.resolve("custom/io/jmirai/jmirai-daemon/" + V + "/jmirai-daemon-" + V + "-all.jar"));
        props.put("maven.repo.local", dir.resolve("custom").toString());
        assertThat(DaemonJar.locate(lookup())).isEqualTo(custom);
    }

    @Test
    void shouldNameEveryPlaceLookedAndHowToGetTheJar() {
        assertThat(DaemonJar.find(lookup(), new ArrayList<>())).isEmpty();
        assertThatThrownBy(() -> DaemonJar.locate(lookup()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("daemon jar not found")
                .hasMessageContaining("-Djmirai.daemon.jar (not set)")
                .hasMessageContaining("JMIRAI_DAEMON_JAR (not set)")
                .hasMessageContaining("the class path")
                .hasMessageContaining(dir.resolve("home/.m2/repository/io/jmirai/jmirai-daemon/" + V) + "/")
                .hasMessageContaining("mvn dependency:copy -Dartifact=io.jmirai:jmirai-daemon:" + V + ":jar:all");
    }

    @Test
    void shouldPutTheDaemonJarInFrontOfAClasspathThatLacksTheDaemon() throws IOException {
        Path all = executableJar(dir.resolve("d/jmirai-daemon.jar"));
        Path plain = plainJar(dir.resolve("p/jmirai-daemon-" + V + ".jar"));
        String app = dir.resolve("app-classes").toString();
        assertThat(LocalLauncher.withDaemon(app, () -> all)).isEqualTo(all + File.pathSeparator + app);
        assertThat(LocalLauncher.withDaemon("", () -> all)).isEqualTo(all.toString());
        String holding = app + File.pathSeparator + plain;
        assertThat(LocalLauncher.withDaemon(holding, () -> {
                    throw new AssertionError("must not look for a jar when the classpath holds the daemon");
                }))
                .isEqualTo(holding);
    }
}
