package io.jmirai.launch;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how daemons are launched: on this machine ({@link #local()}), over SSH ({@link #ssh}), through a batch
 * scheduler's job script ({@link #cluster}), through any command that runs a program elsewhere ({@link #remote}, for
 * {@code srun}, {@code docker run -i}, …), as a Kubernetes Job ({@link #kubernetes}), or by hand ({@link #manual()}).
 * Pass one to {@code Daemons.launchRemote(n, config)}.
 *
 * <pre>{@code
 * daemons.launchRemote(4, LaunchConfig.ssh("node1", "node2").user("me").jar("/opt/jmirai/jmirai-daemon.jar"));
 * daemons.launchRemote(2, LaunchConfig.remote("srun", "-n1", "--immediate=60", LaunchConfig.DAEMON));
 * daemons.launchRemote(8, LaunchConfig.cluster("sbatch", "--mem=2G\n--time=01:00:00"));
 * daemons.launchRemote(1).forEach(c -> System.out.println(c.shell() + "\n" + c.secretLine()));
 * }</pre>
 *
 * <p>Every kind shares the options that say what a daemon's command carries: the {@link #java java} to run, the
 * {@link #jar daemon jar}'s path on that machine, {@link #jvmArgs JVM options}, the {@link #url URL} it dials (by
 * default the host's), the host's certificate for TLS URLs ({@link #certPem} inline, or {@link #certPemFile} a path on
 * that machine) and the {@link #daemonOptions daemon options} (by default the host's). The session secret never goes
 * on a command line: over SSH and the other commands it goes to the daemon's standard input, in a job script through
 * a file only the user can read, and in manual commands as a separate line to paste.
 *
 * <p>Immutable: every option returns a copy. Thread-safe.
 *
 * @param <C> the kind, so options chain in any order
 */
public abstract sealed class LaunchConfig<C extends LaunchConfig<C>>
        permits LaunchConfig.Local,
                LaunchConfig.Ssh,
                LaunchConfig.Cluster,
                LaunchConfig.Remote,
                LaunchConfig.Kubernetes,
                LaunchConfig.Manual {

    /** The placeholder in a {@link #remote} command that the daemon's command replaces. */
    public static final String DAEMON = "{daemon}";

    /** The daemon jar's default path on the machine that runs it: relative, so in the login or job directory. */
    public static final String DEFAULT_JAR = "jmirai-daemon.jar";

    /** How long a launch waits for its commands (and, for held connections, for the daemons to connect). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    final Common common;

    LaunchConfig(Common common) {
        this.common = common;
    }

    abstract C with(Common value);

    // ---------------------------------------------------------------------------------------------------- factories

    /** @return daemons on this machine, with the host's java and classpath (same as {@code launchLocal(n)}) */
    public static Local local() {
        return new Local(Common.DEFAULTS);
    }

    /**
     * Daemons started over SSH, {@code n} on each remote, through one {@code ssh} connection per remote that the host
     * holds for as long as they run. The secret goes over that connection's standard input.
     *
     * @param remotes destinations as {@code ssh} takes them: {@code host}, {@code user@host}, or
     *     {@code ssh://[user@]host[:port]}
     * @throws IllegalArgumentException if there is no remote, or one could be mistaken for an option
     */
    public static Ssh ssh(String... remotes) {
        return new Ssh(
                Common.DEFAULTS, Ssh.parseRemotes(remotes), 0, null, DEFAULT_SSH_CONNECT_TIMEOUT, false, List.of());
    }

    /**
     * Daemons submitted as batch jobs, one job per daemon: a job script with the scheduler's directives, submitted
     * with {@code command}. The secret reaches the job through a file only the user can read.
     *
     * @param command {@code sbatch} (Slurm), {@code qsub} (PBS, Torque, SGE) or {@code bsub} (LSF), optionally a path
     *     to one of them
     * @param options the scheduler's options, one per line, such as {@code "--mem=2G\n--time=1:00:00"}; a line not
     *     starting with {@code #} gets the scheduler's prefix ({@code #SBATCH}, {@code #PBS}, {@code #BSUB})
     * @throws IllegalArgumentException if the command is not one of the three
     */
    public static Cluster cluster(String command, String options) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        Cluster.Scheduler scheduler = Cluster.Scheduler.of(command);
        return new Cluster(Common.DEFAULTS, command, scheduler, options, null);
    }

    /** @return {@link #cluster(String, String)} with no scheduler options */
    public static Cluster cluster(String command) {
        return cluster(command, "");
    }

    /**
     * Daemons started by a command that runs a program somewhere else and forwards its standard input, such as
     * {@code srun}, {@code docker run -i} or {@code kubectl run -i}: one command per daemon, held by the host while the
     * daemon runs. The secret goes to the command's standard input.
     *
     * @param command the program, such as {@code srun}
     * @param args its arguments; the one equal to {@link #DAEMON} is replaced by the daemon's command, as separate
     *     arguments, or (with {@link Remote#quote(boolean) quote(true)}) as one shell-quoted argument
     * @throws IllegalArgumentException if no argument is {@link #DAEMON}
     */
    public static Remote remote(String command, String... args) {
        Objects.requireNonNull(command, "command");
        List<String> list = List.of(args);
        if (!list.contains(DAEMON)) {
            throw new IllegalArgumentException(
                    "remote command has no " + DAEMON + " placeholder: command=" + command + ", args=" + list);
        }
        return new Remote(Common.DEFAULTS, command, list, false);
    }

    /**
     * A {@code docker run -i --rm --network=host IMAGE {daemon}} template: the image must hold {@code java} and the
     * daemon jar (set its path with {@link #jar}); the secret goes to the container's standard input.
     */
    public static Remote docker(String image) {
        Objects.requireNonNull(image, "image");
        return remote("docker", "run", "-i", "--rm", "--network=host", image, DAEMON);
    }

    /**
     * Daemons as Kubernetes Jobs, one per daemon: a manifest (applied with {@code kubectl apply -f}) whose pods run
     * the daemon in {@code image}, and a Kubernetes Secret (created from a file only the user can read) mounted
     * where the daemon reads it.
     */
    public static Kubernetes kubernetes(String image) {
        Objects.requireNonNull(image, "image");
        return new Kubernetes(Common.DEFAULTS, image, null, "kubectl", null);
    }

    /** @return commands to start daemons by hand: nothing is run; each comes with the secret line to paste */
    public static Manual manual() {
        return new Manual(Common.DEFAULTS);
    }

    // ------------------------------------------------------------------------------------------------ common options

    /** @return a copy whose daemons run this {@code java} (default {@code java}, found on the remote PATH) */
    public C java(String path) {
        return with(common.java(nonBlank("java", path)));
    }

    /** @return a copy whose daemons run the daemon jar at {@code path} on their machine (default {@value #DEFAULT_JAR}) */
    public C jar(String path) {
        return with(common.jar(nonBlank("jar", path)));
    }

    /** @return a copy whose daemons' JVMs get these options, such as {@code -Xmx2g} */
    public C jvmArgs(String... args) {
        return with(common.jvmArgs(List.of(args)));
    }

    /**
     * @param value the URL the daemons dial, such as {@code tcp://login1.example.org:5555}, when the host's own URL is
     *     not the one that reaches it from there (default: the host's URL, with a wildcard address replaced by this
     *     machine's name)
     * @return a copy dialing {@code value}
     */
    public C url(String value) {
        ListenUrl.parse(value);
        return with(common.url(value));
    }

    /** @return a copy that pins this certificate (PEM text) on TLS URLs, passed inline ({@code --cert-pem}) */
    public C certPem(String pem) {
        return with(common.certPem(nonBlank("certPem", pem)));
    }

    /** @return a copy whose daemons read the pinned certificate from this PEM file on their machine */
    public C certPemFile(String path) {
        return with(common.certPemFile(nonBlank("certPemFile", path)));
    }

    /** @return a copy whose daemons get these options instead of the host's (for a remote {@code classpath}, say) */
    public C daemonOptions(DaemonOptions value) {
        return with(common.options(Objects.requireNonNull(value, "daemonOptions")));
    }

    /** @return a copy whose launching command ({@code ssh}, {@code sbatch}, …) gets this environment variable */
    public C env(String name, String value) {
        nonBlank("env name", name);
        Objects.requireNonNull(value, "value");
        Map<String, String> env = new LinkedHashMap<>(common.env());
        env.put(name, value);
        return with(common.env(env));
    }

    /**
     * @param value how long the launch waits for each command it runs and, for connections the host holds ({@link
     *     #ssh}, {@link #remote}), for the daemons to connect (default 60 s)
     * @return a copy with that bound
     */
    public C timeout(Duration value) {
        return with(common.timeout(positive("timeout", value)));
    }

    /** @return the daemon jar's path on the daemons' machine */
    public String jar() {
        return common.jar();
    }

    /** @return the {@code java} the daemons run */
    public String java() {
        return common.java();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName().toLowerCase(Locale.ROOT) + common;
    }

    static final Duration DEFAULT_SSH_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    static String nonBlank(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " : '" + value + "' (expected: not blank)");
        }
        return value;
    }

    static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " : " + d + " (expected: > 0)");
        }
        return d;
    }

    /** The options every kind shares. */
    record Common(
            String java,
            String jar,
            List<String> jvmArgs,
            String url,
            String certPem,
            String certPemFile,
            DaemonOptions options,
            Map<String, String> env,
            Duration timeout) {
        static final Common DEFAULTS =
                new Common("java", DEFAULT_JAR, List.of(), null, null, null, null, Map.of(), DEFAULT_TIMEOUT);

        Common {
            jvmArgs = List.copyOf(jvmArgs);
            env = Map.copyOf(env);
        }

        Common java(String v) {
            return new Common(v, jar, jvmArgs, url, certPem, certPemFile, options, env, timeout);
        }

        Common jar(String v) {
            return new Common(java, v, jvmArgs, url, certPem, certPemFile, options, env, timeout);
        }

        Common jvmArgs(List<String> v) {
            return new Common(java, jar, v, url, certPem, certPemFile, options, env, timeout);
        }

        Common url(String v) {
            return new Common(java, jar, jvmArgs, v, certPem, certPemFile, options, env, timeout);
        }

        Common certPem(String v) {
            return new Common(java, jar, jvmArgs, url, v, null, options, env, timeout);
        }

        Common certPemFile(String v) {
            return new Common(java, jar, jvmArgs, url, null, v, options, env, timeout);
        }

        Common options(DaemonOptions v) {
            return new Common(java, jar, jvmArgs, url, certPem, certPemFile, v, env, timeout);
        }

        Common env(Map<String, String> v) {
            return new Common(java, jar, jvmArgs, url, certPem, certPemFile, options, v, timeout);
        }

        Common timeout(Duration v) {
            return new Common(java, jar, jvmArgs, url, certPem, certPemFile, options, env, v);
        }

        @Override
        public String toString() {
            return "{java=" + java + ", jar=" + jar + (jvmArgs.isEmpty() ? "" : ", jvmArgs=" + jvmArgs)
                    + (url == null ? "" : ", url=" + url) + (certPem == null ? "" : ", certPem=(inline)")
                    + (certPemFile == null ? "" : ", certPemFile=" + certPemFile)
                    + (options == null ? "" : ", " + options) + (env.isEmpty() ? "" : ", env=" + env.keySet())
                    + ", timeout=" + timeout + "}";
        }
    }

    // ------------------------------------------------------------------------------------------------------- kinds

    /** Daemons on this machine, with the host's {@code java} and classpath; the common options do not apply. */
    public static final class Local extends LaunchConfig<Local> {
        private Local(Common common) {
            super(common);
        }

        @Override
        Local with(Common value) {
            return new Local(value);
        }
    }

    /** Daemons over SSH; see {@link LaunchConfig#ssh}. */
    public static final class Ssh extends LaunchConfig<Ssh> {
        final List<String> remotes;
        final int port;
        final String user;
        final Duration connectTimeout;
        final boolean tunnel;
        final List<String> sshOptions;

        private Ssh(
                Common common,
                List<String> remotes,
                int port,
                String user,
                Duration connectTimeout,
                boolean tunnel,
                List<String> sshOptions) {
            super(common);
            this.remotes = List.copyOf(remotes);
            this.port = port;
            this.user = user;
            this.connectTimeout = connectTimeout;
            this.tunnel = tunnel;
            this.sshOptions = List.copyOf(sshOptions);
        }

        @Override
        Ssh with(Common value) {
            return new Ssh(value, remotes, port, user, connectTimeout, tunnel, sshOptions);
        }

        /** @return a copy connecting to this SSH port (default: ssh's own, usually 22) */
        public Ssh port(int value) {
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("port : " + value + " (expected: 1 to 65535)");
            }
            return new Ssh(common, remotes, value, user, connectTimeout, tunnel, sshOptions);
        }

        /** @return a copy logging in as {@code value} (default: ssh's own choice) */
        public Ssh user(String value) {
            nonBlank("user", value);
            if (value.startsWith("-") || !value.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("user : '" + value + "' (expected: a login name)");
            }
            return new Ssh(common, remotes, port, value, connectTimeout, tunnel, sshOptions);
        }

        /** @return a copy giving up on an unreachable remote after {@code value} (default 10 s, whole seconds) */
        public Ssh connectTimeout(Duration value) {
            positive("connectTimeout", value);
            if (value.toSeconds() < 1) {
                throw new IllegalArgumentException("connectTimeout : " + value + " (expected: >= 1 s)");
            }
            return new Ssh(common, remotes, port, user, value, tunnel, sshOptions);
        }

        /**
         * @param value whether to reach the host through a reverse tunnel ({@code -R port:127.0.0.1:port}), for remotes
         *     that cannot connect to the host directly: the daemons dial {@code 127.0.0.1:port} on their machine. The
         *     host's URL must then be on {@code 127.0.0.1}. One tunnel per remote and port: launch all of a remote's
         *     daemons in one call.
         * @return a copy with that setting
         */
        public Ssh tunnel(boolean value) {
            return new Ssh(common, remotes, port, user, connectTimeout, value, sshOptions);
        }

        /** @return a copy that reaches the host through a reverse tunnel: {@code tunnel(true)} */
        public Ssh tunnel() {
            return tunnel(true);
        }

        /** @return a copy passing these extra options to {@code ssh}, such as {@code -i KEY} or {@code -F CONFIG} */
        public Ssh sshOptions(String... options) {
            return new Ssh(common, remotes, port, user, connectTimeout, tunnel, List.of(options));
        }

        /** @return the remotes */
        public List<String> remotes() {
            return remotes;
        }

        static List<String> parseRemotes(String... remotes) {
            if (remotes.length == 0) {
                throw new IllegalArgumentException("ssh needs at least one remote");
            }
            List<String> out = new ArrayList<>();
            for (String r : remotes) {
                nonBlank("remote", r);
                String host = r.startsWith("ssh://") ? r.substring("ssh://".length()) : r;
                if (host.isEmpty() || host.startsWith("-") || !host.chars().allMatch(c -> c > ' ' && c < 127)) {
                    throw new IllegalArgumentException(
                            "remote : '" + r + "' (expected: host, user@host or ssh://[user@]host[:port])");
                }
                out.add(r);
            }
            return out;
        }

        @Override
        public String toString() {
            return "ssh" + remotes + "{port=" + (port == 0 ? "default" : port) + (user == null ? "" : ", user=" + user)
                    + ", tunnel=" + tunnel + ", connectTimeout=" + connectTimeout + "}" + common;
        }
    }

    /** Daemons as batch jobs; see {@link LaunchConfig#cluster}. */
    public static final class Cluster extends LaunchConfig<Cluster> {
        /** The batch schedulers whose job scripts this writes. */
        enum Scheduler {
            SBATCH("#SBATCH", "--job-name=jmirai", "scancel"),
            QSUB("#PBS", "-N jmirai", "qdel"),
            BSUB("#BSUB", "-J jmirai", "bkill");

            final String prefix;
            final String jobName;
            final String cancel;

            Scheduler(String prefix, String jobName, String cancel) {
                this.prefix = prefix;
                this.jobName = jobName;
                this.cancel = cancel;
            }

            static Scheduler of(String command) {
                String name = Path.of(command.strip()).getFileName().toString();
                return switch (name) {
                    case "sbatch" -> SBATCH;
                    case "qsub" -> QSUB;
                    case "bsub" -> BSUB;
                    default ->
                        throw new IllegalArgumentException(
                                "cluster command : '" + command + "' (expected: sbatch, qsub or bsub)");
                };
            }
        }

        final String command;
        final Scheduler scheduler;
        final String options;
        final Path scriptDir;

        private Cluster(Common common, String command, Scheduler scheduler, String options, Path scriptDir) {
            super(common);
            this.command = command;
            this.scheduler = scheduler;
            this.options = options;
            this.scriptDir = scriptDir;
        }

        @Override
        Cluster with(Common value) {
            return new Cluster(value, command, scheduler, options, scriptDir);
        }

        /**
         * @param dir where job scripts and the secret file go; it must be visible to the compute nodes under the same
         *     path (default {@code ~/.jmirai/jobs}). Each launch makes a private directory (mode 700) in it.
         * @return a copy with that directory
         */
        public Cluster scriptDir(Path dir) {
            return new Cluster(common, command, scheduler, options, Objects.requireNonNull(dir, "scriptDir"));
        }

        @Override
        public String toString() {
            return "cluster[" + command + "]{options="
                    + Arrays.toString(options.lines().toArray()) + "}" + common;
        }
    }

    /** Daemons through a command such as {@code srun}; see {@link LaunchConfig#remote}. */
    public static final class Remote extends LaunchConfig<Remote> {
        final String command;
        final List<String> args;
        final boolean quote;

        private Remote(Common common, String command, List<String> args, boolean quote) {
            super(common);
            this.command = nonBlank("command", command);
            this.args = List.copyOf(args);
            this.quote = quote;
        }

        @Override
        Remote with(Common value) {
            return new Remote(value, command, args, quote);
        }

        /**
         * @param value whether {@link #DAEMON} becomes one shell-quoted argument (for commands that hand their
         *     argument to a shell, such as {@code ssh host CMD} or {@code sh -c CMD}) rather than separate arguments
         * @return a copy with that setting
         */
        public Remote quote(boolean value) {
            return new Remote(common, command, args, value);
        }

        @Override
        public String toString() {
            return "remote[" + command + " " + String.join(" ", args) + "]{quote=" + quote + "}" + common;
        }
    }

    /** Daemons as Kubernetes Jobs; see {@link LaunchConfig#kubernetes}. */
    public static final class Kubernetes extends LaunchConfig<Kubernetes> {
        final String image;
        final String namespace;
        final String kubectl;
        final Path scriptDir;

        private Kubernetes(Common common, String image, String namespace, String kubectl, Path scriptDir) {
            super(common);
            this.image = nonBlank("image", image);
            this.namespace = namespace;
            this.kubectl = kubectl;
            this.scriptDir = scriptDir;
        }

        @Override
        Kubernetes with(Common value) {
            return new Kubernetes(value, image, namespace, kubectl, scriptDir);
        }

        /**
         * @param dir where the manifest and, until the Secret is created, the secret file go (default {@code
         *     ~/.jmirai/jobs}); each launch makes a private directory (mode 700) in it
         * @return a copy with that directory
         */
        public Kubernetes scriptDir(Path dir) {
            return new Kubernetes(common, image, namespace, kubectl, Objects.requireNonNull(dir, "scriptDir"));
        }

        /** @return a copy creating the Jobs and the Secret in this namespace (default: kubectl's current one) */
        public Kubernetes namespace(String value) {
            nonBlank("namespace", value);
            if (!value.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException("namespace : '" + value + "' (expected: a DNS label)");
            }
            return new Kubernetes(common, image, value, kubectl, scriptDir);
        }

        /** @return a copy running this {@code kubectl} (default {@code kubectl} on the PATH) */
        public Kubernetes kubectl(String path) {
            return new Kubernetes(common, image, namespace, nonBlank("kubectl", path), scriptDir);
        }

        @Override
        public String toString() {
            return "kubernetes[" + image + "]" + (namespace == null ? "" : "{namespace=" + namespace + "}") + common;
        }
    }

    /** Commands to run by hand; see {@link LaunchConfig#manual()}. */
    public static final class Manual extends LaunchConfig<Manual> {
        private Manual(Common common) {
            super(common);
        }

        @Override
        Manual with(Common value) {
            return new Manual(value);
        }
    }
}
