package io.jmirai.daemon;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import io.jmirai.tls.ClientTls;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.log.Redact;
import io.jmirai.transport.protocol.Handshake;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The daemon's command line: {@code java -jar jmirai-daemon.jar URL [options]}. The secret comes from the
 * {@value Handshake#SECRET_ENV} environment variable, {@code --secret-file} (readable by its owner only) or
 * {@code --secret-stdin}; never from an argument, since other users can read command lines.
 */
@Command(
        name = "jmirai-daemon",
        exitCodeOnInvalidInput = ExitCode.USAGE,
        exitCodeOnExecutionException = ExitCode.INTERNAL_ERROR,
        mixinStandardHelpOptions = true,
        version = "jmirai-daemon 0.1.0",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Dials a jmirai host at URL, authenticates with the session secret, evaluates tasks one at a time and"
                    + " sends back their values or errors.",
            "",
            "The secret is read from the environment variable " + Handshake.SECRET_ENV
                    + ", or --secret-file, or --secret-stdin; never from the command line.",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the connection to the host ended",
            "64:bad arguments or no secret",
            "69:host unreachable",
            "70:internal error",
            "77:authentication failed",
            "81:idle time reached",
            "82:wall time reached",
            "83:task limit reached",
            "84:recycled: a task ended with an error that may have damaged the JVM (answered first)",
            "128+N:killed by signal N"
        })
public final class DaemonMain implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    @Parameters(index = "0", paramLabel = "URL", description = "the host's URL, e.g. tcp://10.0.0.1:5555")
    private String url;

    @Option(
            names = "--autoexit",
            paramLabel = "WHEN",
            defaultValue = "now",
            description = "when the host goes away: now (exit at once), after-task (finish the running task, then"
                    + " exit) or never (dial again until the host answers). Default: ${DEFAULT-VALUE}")
    private String autoExit;

    @Option(
            names = "--idletime",
            paramLabel = "DURATION",
            description = "exit (code 1) after this long without a task, e.g. 500ms, 30s, 5m, 2h")
    private String idleTime;

    @Option(
            names = "--walltime",
            paramLabel = "DURATION",
            description = "exit (code 2) after this long in all, once the running task is done")
    private String wallTime;

    @Option(
            names = "--maxtasks",
            paramLabel = "N",
            defaultValue = "0",
            description = "exit (code 3) after N tasks; 0 for no limit")
    private int maxTasks;

    @Option(
            names = "--cleanup",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "restore system properties, default locale and time zone after each task (default)")
    private boolean cleanup;

    @Option(
            names = "--output",
            defaultValue = "false",
            description = "keep the tasks' stdout and stderr (discarded by default)")
    private boolean output;

    @Option(
            names = {"--classpath", "-cp"},
            paramLabel = "PATH",
            description = "where the tasks' classes are: jars and directories, separated by '${sys:path.separator}'")
    private String classpath;

    @Option(
            names = "--class-loading",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "ask the host for the classes of a task that this daemon cannot load (remote class"
                    + " loading, on by default); --no-class-loading for sites that forbid running code shipped over"
                    + " the connection: then every class must be on --classpath")
    private boolean classLoading;

    @Option(names = "--slot", paramLabel = "N", defaultValue = "0", description = "this daemon's slot on the host")
    private int slot;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "", description = "the slot's token")
    private String token;

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description = "read the secret from FILE, which only its owner may read")
    private Path secretFile;

    @Option(names = "--secret-stdin", description = "read the secret from the first line of standard input")
    private boolean secretStdin;

    @Option(
            names = "--dial-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description =
                    "keep dialing this long until first connected (exit code 69 after). Default: ${DEFAULT-VALUE}")
    private String dialTimeout;

    @Option(
            names = "--cert-pem",
            paramLabel = "PEM",
            description =
                    "the host's certificate (PEM text), for a TLS url: the daemon trusts exactly this certificate")
    private String certPem;

    @Option(
            names = "--cert-pem-file",
            paramLabel = "FILE",
            description = "the host's certificate as a PEM file, for a TLS url: the daemon trusts exactly it")
    private Path certPemFile;

    @Option(
            names = "--ca-pem",
            paramLabel = "PEM",
            description = "CA certificates (PEM text, leaf first, root last) for a TLS url whose host has a"
                    + " CA-signed certificate; the host name is verified")
    private String caPem;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "like --ca-pem, from a PEM file")
    private Path caFile;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "bound on connecting and authenticating. Default: ${DEFAULT-VALUE}")
    private String connectTimeout;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            description = "what the daemon logs to stderr: off, error, warn, info, debug or trace. Default: info")
    private String logLevel;

    private PrintStream log = System.err;

    /**
     * Runs the daemon and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the daemon and returns its exit code (for embedding and tests). */
    public static int run(String... args) {
        return new CommandLine(new DaemonMain()).execute(args);
    }

    @Override
    public Integer call() {
        DaemonConfig config;
        try {
            DaemonLogging.configure(logLevel);
            ListenUrl parsed = ListenUrl.parse(url);
            SlotIdentity fromPath = slotFromPath(parsed.path());
            config = new DaemonConfig(
                    parsed,
                    readSecret(),
                    fromPath != null ? fromPath.slot() : slot,
                    fromPath != null ? fromPath.token() : token,
                    parseAutoExit(autoExit),
                    parseDuration("--idletime", idleTime),
                    parseDuration("--walltime", wallTime),
                    maxTasks,
                    cleanup,
                    output,
                    classLoader(),
                    parseDuration("--connect-timeout", connectTimeout),
                    parseDuration("--dial-timeout", dialTimeout),
                    sslContext(),
                    classLoading);
        } catch (IllegalArgumentException | IOException e) {
            log.println("jmirai-daemon: " + e.getMessage());
            return ExitCode.USAGE;
        }
        if (!output) {
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            System.setOut(discard);
            System.setErr(discard);
        }
        Daemon daemon = Daemon.start(config, log);
        Thread hook = new Thread(daemon::close, "jmirai-daemon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGINT interrupts the running task (a MiraiInterrupt on the host); when idle, it ends the daemon as before
        InterruptSignal sigint = InterruptSignal.install(daemon::interruptBySignal);
        int code = daemon.exitCode().join();
        if (sigint != null) {
            sigint.close();
        }
        daemon.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return code;
    }

    private io.netty.handler.ssl.SslContext sslContext() throws IOException {
        int given = (certPem != null ? 1 : 0)
                + (certPemFile != null ? 1 : 0)
                + (caPem != null ? 1 : 0)
                + (caFile != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("give one of --cert-pem, --cert-pem-file, --ca-pem, --ca-file");
        }
        if (given == 0) {
            return null;
        }
        if (!ListenUrl.parse(url).scheme().isTls()) {
            throw new IllegalArgumentException(
                    "a certificate option needs a tls+tcp:// or wss:// url: url=" + Redact.url(ListenUrl.parse(url)));
        }
        if (certPem != null) {
            return ClientTls.pinned(certPem);
        }
        if (certPemFile != null) {
            return ClientTls.pinned(Files.readString(certPemFile, StandardCharsets.US_ASCII));
        }
        if (caPem != null) {
            return ClientTls.caChain(caPem);
        }
        return ClientTls.caChain(caFile);
    }

    private byte[] readSecret() throws IOException {
        String secret;
        if (secretFile != null) {
            if (Files.getFileStore(secretFile).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(secretFile);
                for (PosixFilePermission p : perms) {
                    if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                        throw new IllegalArgumentException(
                                "secret file is readable by others: file=" + secretFile + " (chmod 600 it)");
                    }
                }
            }
            secret = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
        } else if (secretStdin) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            secret = line == null ? "" : line.strip();
        } else {
            String env = System.getenv(Handshake.SECRET_ENV);
            secret = env == null ? "" : env.strip();
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException(
                    "no secret: set " + Handshake.SECRET_ENV + ", or use --secret-file or --secret-stdin");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private ClassLoader classLoader() {
        ClassLoader parent = DaemonMain.class.getClassLoader();
        if (classpath == null || classpath.isBlank()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("classpath entry does not exist: entry=" + entry);
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("bad classpath entry: entry=" + entry, e);
            }
        }
        return new RemoteClassLoader.Classpath(urls.toArray(URL[]::new), parent);
    }

    /** A daemon's identity on the host: its slot and the slot's token. */
    record SlotIdentity(int slot, String token) {}

    /**
     * A per-daemon URL's path is {@code /slot} or {@code /slot/token}.
     *
     * @return the identity, or null for a shared URL (no path)
     */
    static SlotIdentity slotFromPath(String path) {
        Matcher m = Pattern.compile("/(\\d{1,9})(?:/([A-Za-z0-9_-]{1,128}))?/?").matcher(path);
        if (path.isEmpty() || path.equals("/")) {
            return null;
        }
        if (!m.matches()) {
            throw new IllegalArgumentException("url path is not /slot or /slot/token: path=" + path);
        }
        return new SlotIdentity(Integer.parseInt(m.group(1)), m.group(2) == null ? "" : m.group(2));
    }

    static AutoExit parseAutoExit(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "now", "true", "immediate", "immediately":
                return AutoExit.NOW;
            case "after-task", "after_task", "aftertask":
                return AutoExit.AFTER_TASK;
            case "never", "false":
                return AutoExit.NEVER;
            default:
                throw new IllegalArgumentException("--autoexit : " + text + " (expected: now, after-task or never)");
        }
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, a bare number of milliseconds, or ISO-8601. */
    static Duration parseDuration(String option, String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                Duration d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return positive(option, text, d);
            }
            return positive(option, text, Duration.parse(text.strip().toUpperCase(Locale.ROOT)));
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    option + " : " + text + " (expected: a duration such as 500ms, 30s, 5m, 2h or PT30S)");
        }
    }

    private static Duration positive(String option, String text, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " : " + text + " (expected: > 0)");
        }
        return d;
    }
}
