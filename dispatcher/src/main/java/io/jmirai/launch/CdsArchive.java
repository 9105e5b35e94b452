package io.jmirai.launch;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's class-data-sharing archive, if there is one: {@code X.jsa} next to the jar {@code X.jar} that holds
 * {@code io.jmirai.daemon.DaemonMain} in this JVM, made when that jar was packaged ({@code io.jmirai.daemon.CdsTraining}; the daemon
 * module makes {@code jmirai-daemon.jsa} next to {@code jmirai-daemon.jar}). A daemon started with it maps the classes
 * it needs (Netty, Kryo, the daemon, the parts of the JDK they use) instead of loading and verifying them.
 *
 * <p>The JVM uses the archive only if the daemon's classpath starts with the jar it was made with, at the same path and
 * unchanged (size and time); otherwise it starts normally, without it. So launches put the jar first on the classpath,
 * and the archive must be newer than the jar. {@code -Djmirai.launch.cds=false} on the host turns it off. Immutable;
 * thread-safe.
 *
 * @param archive the {@code .jsa} file
 * @param jar the jar it was made with
 */
record CdsArchive(Path archive, Path jar) {
    /** System property on the host: {@code false} launches local daemons without the archive. */
    static final String CDS_PROP_NAME = "jmirai.launch.cds";

    private static final String DAEMON_MAIN_RESOURCE = "io/jmirai/daemon/DaemonMain.class";

    /** @return the archive next to the jar that holds the daemon's classes here, or null if there is none */
    static CdsArchive find() {
        if ("false".equalsIgnoreCase(System.getProperty(CDS_PROP_NAME, "true"))) {
            return null;
        }
        // The daemon module is a runtime dependency only, so its jar is found through the class file's resource URL.
        URL url = CdsArchive.class.getClassLoader().getResource(DAEMON_MAIN_RESOURCE);
        if (url == null || !"jar".equals(url.getProtocol())) {
            return null;
        }
        String spec = url.getPath(); // file:/path/to/x.jar!/io/jmirai/daemon/DaemonMain.class
        int bang = spec.indexOf("!/");
        if (bang < 0) {
            return null;
        }
        try {
            return next(Path.of(new URL(spec.substring(0, bang)).toURI()));
        } catch (URISyntaxException | java.net.MalformedURLException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }

    /** @return the archive next to {@code jar} ({@code X.jar} → {@code X.jsa}), if it exists and is newer, else null */
    static CdsArchive next(Path jar) {
        String name = jar.getFileName() == null ? "" : jar.getFileName().toString();
        if (!name.endsWith(".jar") || !Files.isRegularFile(jar)) {
            return null;
        }
        Path archive = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        try {
            if (!Files.isRegularFile(archive)
                    || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                return null;
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return new CdsArchive(archive.toAbsolutePath(), jar.toAbsolutePath());
    }

    /**
     * @return the JVM options that use the archive; the JVM's own notes about it (such as "unable to use shared
     *     archive" when the jar changed) are silenced, since it then simply starts without it
     */
    List<String> jvmArgs() {
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** @return {@code classpath} with the archive's jar first (moved there if it was further back) */
    String classpath(String classpath) {
        List<String> entries = new ArrayList<>();
        entries.add(jar.toString());
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.isEmpty() && !Path.of(e).toAbsolutePath().equals(jar)) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
