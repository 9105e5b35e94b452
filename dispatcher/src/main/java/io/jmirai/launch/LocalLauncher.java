package io.jmirai.launch;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import io.jmirai.transport.protocol.Handshake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts daemons on this machine with the host's own {@code java} and classpath, so they can load every class a task
 * uses. The secret goes through the {@value Handshake#SECRET_ENV} environment variable, never the command line.
 * Thread-safe.
 */
public final class LocalLauncher {
    /** The daemon's main class. */
    public static final String DAEMON_MAIN = "io.jmirai.daemon.DaemonMain";

    private final Path java;
    private final String classpath;
    private final List<String> jvmArgs;

    /** A launcher using this JVM's {@code java}, this JVM's classpath and no extra JVM options. */
    public LocalLauncher() {
        this(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"), List.of());
    }

    /**
     * @param java the {@code java} executable
     * @param classpath the daemons' classpath
     * @param jvmArgs extra JVM options, such as {@code -Xmx2g}
     */
    public LocalLauncher(Path java, String classpath, List<String> jvmArgs) {
        this.java = Objects.requireNonNull(java, "java");
        this.classpath = Objects.requireNonNull(classpath, "classpath");
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /**
     * @param url the URL to dial: the shared URL, or a per-daemon URL whose path carries the slot and token
     * @param certificatePem the host certificate the daemon pins, for TLS URLs; else null
     * @return the command that starts a daemon (without the secret, which goes in the environment)
     */
    public List<String> command(ListenUrl url, DaemonOptions options, String certificatePem) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(DAEMON_MAIN);
        cmd.add(dialable(url).toString());
        if (certificatePem != null) {
            cmd.add("--cert-pem=" + certificatePem);
        }
        cmd.addAll(options.toArgs());
        return cmd;
    }

    private static final Pattern SLOT_PATH = Pattern.compile("/(\\d{1,9})(?:/([A-Za-z0-9_-]{1,128}))?/?");

    /**
     * @return the daemon's own key when {@code url} is the per-daemon URL of {@code slot} ({@code /slot[/token]}, the
     *     slot and token the key is derived for), else the session secret (a shared URL)
     */
    static String daemonSecret(String secret, ListenUrl url, int slot) {
        Matcher m = SLOT_PATH.matcher(url.path());
        if (slot > 0 && m.matches() && Integer.parseInt(m.group(1)) == slot) {
            return DaemonKeys.derive(secret, slot, m.group(2) == null ? "" : m.group(2));
        }
        return secret;
    }

    /**
     * Starts a daemon process that dials {@code url} (a per-daemon URL for {@code slot}).
     *
     * @param certificatePem the host certificate to pin, for TLS URLs; else null
     * @throws IOException if the process cannot be started
     */
    public LocalProcess launch(ListenUrl url, int slot, DaemonOptions options, String secret, String certificatePem)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(url, options, certificatePem));
        pb.environment().put(Handshake.SECRET_ENV, daemonSecret(secret, url, slot));
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Path stderr = null;
        if (options.output()) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            stderr = Files.createTempFile(
                    "jmirai-daemon-",
                    ".log",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(stderr.toFile());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return new LocalProcess(p, slot, stderr);
        } catch (IOException | RuntimeException e) {
            if (stderr != null) {
                Files.deleteIfExists(stderr);
            }
            throw e;
        }
    }

    /** A wildcard listen address is not a place to dial: local daemons dial loopback instead. */
    static ListenUrl dialable(ListenUrl url) {
        return switch (url.host()) {
            case "0.0.0.0" -> new ListenUrl(url.scheme(), "127.0.0.1", url.port(), url.path());
            case "::", "0:0:0:0:0:0:0:0" -> new ListenUrl(url.scheme(), "::1", url.port(), url.path());
            default -> url;
        };
    }
}
