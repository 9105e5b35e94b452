package io.jmirai.launch;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import io.jmirai.transport.protocol.Handshake;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts daemons on this machine with the host's own {@code java} and classpath, so they can load every class a task
 * uses. When that classpath does not hold the daemon itself (an application started through a launcher class loader,
 * such as {@code mvn exec:java} or a Spring Boot jar), the daemon jar that {@link DaemonJar#locate()} finds goes in
 * front of it. The secret goes through the {@value Handshake#SECRET_ENV} environment variable, never the command line.
 *
 * <p>The default launcher ({@link #LocalLauncher()}) starts daemons quickly: with the daemon's class-data-sharing
 * archive when there is one next to the jar that holds the daemon ({@link CdsArchive}), and with {@link
 * #DEFAULT_JVM_ARGS}. Thread-safe.
 */
public final class LocalLauncher {
    /** The daemon's main class. */
    public static final String DAEMON_MAIN = DaemonJar.DAEMON_MAIN;

    /**
     * JVM options of the default launcher, chosen (and measured, see benchmarks/README.md) for daemons that start
     * often and run one task at a time: the C1 compiler only ({@code -XX:TieredStopAtLevel=1}: in a fresh daemon the
     * C2 compiler otherwise takes a third of all CPU, which slows the first thousands of tasks and the start), the
     * serial collector (one task thread; the smallest footprint), no {@code hsperfdata} file, and Netty's JFR events
     * off (registering them costs start-up time and memory). For long, CPU-heavy tasks C2's code can be faster: {@code
     * new LocalLauncher().withJvmArgs(List.of())} gives the JVM's own defaults back.
     */
    public static final List<String> DEFAULT_JVM_ARGS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Dio.netty.jfr.enabled=false");

    private final Path java;
    private final List<String> jvmArgs;
    private final CdsArchive cds;
    /** Fixed by the caller, or null while {@link #hostClasspath} waits to be checked for the daemon. */
    private volatile String classpath;
    /** The host's classpath, to be checked for the daemon at the first launch; null if {@link #classpath} is fixed. */
    private final String hostClasspath;

    /**
     * A launcher using this JVM's {@code java} and classpath (with the daemon jar in front if it lacks the daemon, see
     * {@link #forClasspath}), {@link #DEFAULT_JVM_ARGS}, and the daemon's class-data-sharing archive when there is one.
     */
    public LocalLauncher() {
        this(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                null,
                System.getProperty("java.class.path"),
                DEFAULT_JVM_ARGS,
                CdsArchive.find());
    }

    /**
     * A launcher like {@link #LocalLauncher()} but using {@code classpath} for the tasks' classes. If {@code
     * classpath} does not hold the daemon ({@value #DAEMON_MAIN}), the daemon jar goes in front of it, found when the
     * first daemon starts, in {@link DaemonJar}'s order.
     *
     * @param classpath the tasks' classes and the libraries they use
     * @return the launcher
     */
    public static LocalLauncher forClasspath(String classpath) {
        return new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                null,
                Objects.requireNonNull(classpath, "classpath"),
                DEFAULT_JVM_ARGS,
                CdsArchive.find());
    }

    /**
     * A launcher with exactly these settings (no defaults, no archive).
     *
     * @param java the {@code java} executable
     * @param classpath the daemons' classpath
     * @param jvmArgs extra JVM options, such as {@code -Xmx2g}
     */
    public LocalLauncher(Path java, String classpath, List<String> jvmArgs) {
        this(java, Objects.requireNonNull(classpath, "classpath"), null, jvmArgs, null);
    }

    /** Exactly one of {@code classpath} (fixed) and {@code hostClasspath} (checked for the daemon later) is set. */
    private LocalLauncher(Path java, String classpath, String hostClasspath, List<String> jvmArgs, CdsArchive cds) {
        this.java = Objects.requireNonNull(java, "java");
        this.classpath = classpath;
        this.hostClasspath = hostClasspath;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.cds = cds;
    }

    /**
     * @param value the JVM options, instead of this launcher's (the class-data-sharing archive, if used, stays)
     * @return a copy with these JVM options
     */
    public LocalLauncher withJvmArgs(List<String> value) {
        return new LocalLauncher(java, classpath, hostClasspath, value, cds);
    }

    /**
     * @param jar a daemon jar ({@code X.jar}) with its class-data-sharing archive {@code X.jsa} next to it, as the
     *     daemon module packages them ({@code jmirai-daemon.jar}, {@code jmirai-daemon.jsa})
     * @return a copy whose daemons start with that archive, {@code jar} first on their classpath
     * @throws IllegalArgumentException if there is no such archive next to {@code jar}, or it is older than the jar
     */
    public LocalLauncher withCds(Path jar) {
        CdsArchive a = CdsArchive.next(Objects.requireNonNull(jar, "jar"));
        if (a == null) {
            throw new IllegalArgumentException("no class-data-sharing archive next to the jar, or older than it: jar="
                    + jar + " (expected: X.jsa next to X.jar, made when X.jar was packaged)");
        }
        return new LocalLauncher(java, classpath, hostClasspath, jvmArgs, a);
    }

    /** @return the JVM options given to daemons (besides those of the class-data-sharing archive) */
    public List<String> jvmArgs() {
        return jvmArgs;
    }

    /** @return the class-data-sharing archive daemons start with, if any */
    public Optional<Path> cdsArchive() {
        return Optional.ofNullable(cds).map(CdsArchive::archive);
    }

    /**
     * @return the daemons' classpath
     * @throws IllegalStateException if the host's classpath lacks the daemon and {@link DaemonJar} finds no jar
     */
    String classpath() {
        String cp = classpath;
        if (cp == null) {
            cp = withDaemon(hostClasspath, DaemonJar::locate);
            classpath = cp; // racing threads compute the same value
        }
        return cp;
    }

    /** @return {@code classpath}, or the daemon jar in front of it when it does not hold the daemon */
    static String withDaemon(String classpath, Supplier<Path> daemonJar) {
        if (DaemonJar.holdsDaemon(classpath)) {
            return classpath;
        }
        String jar = daemonJar.get().toString();
        return classpath.isEmpty() ? jar : jar + File.pathSeparator + classpath;
    }

    /**
     * @param url the URL to dial: the shared URL, or a per-daemon URL whose path carries the slot and token
     * @param certificatePem the host certificate the daemon pins, for TLS URLs; else null
     * @return the command that starts a daemon (without the secret, which goes in the environment)
     */
    public List<String> command(ListenUrl url, DaemonOptions options, String certificatePem) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        if (cds != null) {
            cmd.addAll(cds.jvmArgs());
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(cds != null ? cds.classpath(classpath()) : classpath());
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
