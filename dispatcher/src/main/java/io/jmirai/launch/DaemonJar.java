package io.jmirai.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Finds the daemon's executable jar ({@code io.jmirai:jmirai-daemon:VERSION:jar:all}) on this machine, for daemons
 * started from it by hand and for local daemons when the host's classpath does not hold the daemon. The first of
 * these that applies wins:
 *
 * <ol>
 *   <li>the system property {@value #PATH_PROP_NAME} ({@code -Djmirai.daemon.jar=/opt/jmirai/jmirai-daemon.jar});
 *   <li>the environment variable {@value #PATH_ENV};
 *   <li>the class path: an executable daemon jar on it, or the one beside the plain {@code jmirai-daemon} jar or
 *       classes directory on it ({@code jmirai-daemon-VERSION-all.jar} or {@code jmirai-daemon.jar} in the same
 *       directory, as in a local Maven repository or the daemon module's {@code target});
 *   <li>the local Maven repository ({@code -Dmaven.repo.local}, else {@code ~/.m2/repository}):
 *       {@code io/jmirai/jmirai-daemon/VERSION/jmirai-daemon-VERSION-all.jar}, where {@code VERSION} is this jmirai's
 *       own version ({@link #version()}), so the daemon always matches the host.
 * </ol>
 *
 * A path given by the property or the variable must exist: it is never silently passed over. Stateless and
 * thread-safe.
 */
public final class DaemonJar {
    /** System property naming the daemon jar; overrides every other place. */
    public static final String PATH_PROP_NAME = "jmirai.daemon.jar";

    /** Environment variable naming the daemon jar, when the system property is not set. */
    public static final String PATH_ENV = "JMIRAI_DAEMON_JAR";

    /** The daemon artifact's group id. */
    public static final String GROUP_ID = "io.jmirai";

    /** The daemon artifact's id. */
    public static final String ARTIFACT_ID = "jmirai-daemon";

    /** The classifier of the executable (shaded) daemon jar. */
    public static final String CLASSIFIER = "all";

    /** The daemon's main class. */
    static final String DAEMON_MAIN = "io.jmirai.daemon.DaemonMain";

    private static final String DAEMON_MAIN_RESOURCE = DAEMON_MAIN.replace('.', '/') + ".class";
    private static final String VERSION = readVersion();

    private DaemonJar() {}

    /** @return this jmirai's version, such as {@code 0.1.0}, the version of the daemon artifact that matches it */
    public static String version() {
        return VERSION;
    }

    /** @return the daemon jar's Maven coordinates, {@code io.jmirai:jmirai-daemon:VERSION:jar:all} */
    public static String coordinates() {
        return GROUP_ID + ":" + ARTIFACT_ID + ":" + VERSION + ":jar:" + CLASSIFIER;
    }

    /**
     * Finds the daemon jar, in the order the class comment gives.
     *
     * @return the jar's absolute path
     * @throws IllegalStateException if it is nowhere, naming every place looked and how to get it
     */
    public static Path locate() {
        return locate(Lookup.system());
    }

    /** @return the daemon jar's absolute path, or empty if it is nowhere (a bad override still throws) */
    public static Optional<Path> find() {
        return find(Lookup.system(), new ArrayList<>());
    }

    static Path locate(Lookup lookup) {
        List<String> looked = new ArrayList<>();
        return find(lookup, looked)
                .orElseThrow(
                        () -> new IllegalStateException("daemon jar not found: looked in " + String.join(", ", looked)
                                + "; get it with `mvn dependency:copy -Dartifact=" + coordinates()
                                + " -DoutputDirectory=.` and pass its path with -D" + PATH_PROP_NAME + "=PATH or "
                                + PATH_ENV + "=PATH"));
    }

    static Optional<Path> find(Lookup lookup, List<String> looked) {
        Optional<Path> explicit = explicit(lookup.property().apply(PATH_PROP_NAME), "-D" + PATH_PROP_NAME);
        if (explicit.isPresent()) {
            return explicit;
        }
        looked.add("-D" + PATH_PROP_NAME + " (not set)");
        explicit = explicit(lookup.env().apply(PATH_ENV), PATH_ENV);
        if (explicit.isPresent()) {
            return explicit;
        }
        looked.add(PATH_ENV + " (not set)");
        String classpath = Objects.requireNonNullElse(lookup.property().apply("java.class.path"), "");
        looked.add("the class path");
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Optional<Path> found = fromClasspathEntry(Path.of(entry).toAbsolutePath());
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        String repo = lookup.property().apply("maven.repo.local");
        Path repository = repo != null
                ? Path.of(repo)
                : Path.of(Objects.requireNonNullElse(lookup.property().apply("user.home"), ""), ".m2", "repository");
        Path inRepo = repository
                .resolve(GROUP_ID.replace('.', File.separatorChar))
                .resolve(ARTIFACT_ID)
                .resolve(VERSION)
                .resolve(ARTIFACT_ID + "-" + VERSION + "-" + CLASSIFIER + ".jar")
                .toAbsolutePath();
        looked.add(inRepo.toString());
        return Files.isRegularFile(inRepo) ? Optional.of(inRepo) : Optional.empty();
    }

    private static Optional<Path> explicit(String value, String source) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("daemon jar not found: " + source + "=" + value + " is not a file");
        }
        return Optional.of(path);
    }

    /** A class path entry that is the daemon jar, or the plain daemon jar or classes with the executable beside them. */
    private static Optional<Path> fromClasspathEntry(Path entry) {
        if (Files.isRegularFile(entry) && isExecutableDaemonJar(entry)) {
            return Optional.of(entry);
        }
        Path dir;
        if (Files.isRegularFile(entry) && entry.getFileName().toString().startsWith(ARTIFACT_ID + "-")) {
            dir = entry.getParent(); // jmirai-daemon-VERSION.jar: a Maven repository directory or daemon/target
        } else if (Files.isRegularFile(entry.resolve(DAEMON_MAIN_RESOURCE)) && entry.getParent() != null) {
            dir = entry.getParent(); // daemon/target/classes
        } else {
            return Optional.empty();
        }
        for (String name : List.of(ARTIFACT_ID + "-" + VERSION + "-" + CLASSIFIER + ".jar", ARTIFACT_ID + ".jar")) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && isExecutableDaemonJar(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** @return whether {@code jar} is a jar whose manifest runs the daemon */
    static boolean isExecutableDaemonJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return manifest != null
                    && DAEMON_MAIN.equals(manifest.getMainAttributes().getValue("Main-Class"))
                    && file.getEntry(DAEMON_MAIN_RESOURCE) != null;
        } catch (IOException e) {
            return false; // not a jar
        }
    }

    /** @return whether the class path {@code classpath} holds the daemon's main class */
    static boolean holdsDaemon(String classpath) {
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                if (Files.isRegularFile(path.resolve(DAEMON_MAIN_RESOURCE))) {
                    return true;
                }
            } else if (Files.isRegularFile(path)) {
                try (JarFile file = new JarFile(path.toFile())) {
                    if (file.getEntry(DAEMON_MAIN_RESOURCE) != null) {
                        return true;
                    }
                } catch (IOException e) {
                    // not a jar: it holds no class
                }
            }
        }
        return false;
    }

    private static String readVersion() {
        try (InputStream in = DaemonJar.class.getResourceAsStream("jmirai.properties")) {
            if (in == null) {
                throw new IllegalStateException("jmirai.properties missing beside " + DaemonJar.class.getName());
            }
            Properties p = new Properties();
            p.load(in);
            return Objects.requireNonNull(p.getProperty("version"), "version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the lookup reads system properties and environment variables; tests pass their own. */
    record Lookup(Function<String, String> property, Function<String, String> env) {
        static Lookup system() {
            return new Lookup(System::getProperty, System::getenv);
        }

        static Lookup of(Map<String, String> properties, Map<String, String> env) {
            return new Lookup(properties::get, env::get);
        }
    }
}
