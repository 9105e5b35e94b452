package io.jmirai.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches daemons as a {@link LaunchConfig} says, for {@code Daemons.launchRemote}. What runs a daemon for as long as
 * it lives ({@code ssh}, {@code srun}, …) is started here, handed to the host, and waited for until its daemons have
 * connected; what submits a job ({@code sbatch}, {@code kubectl apply}) is run to completion; manual commands are only
 * returned. Thread-safe.
 */
public final class Launchers {
    private static final Logger LOG = LoggerFactory.getLogger(Launchers.class);

    private Launchers() {}

    /**
     * Launches {@code n} daemons ({@code n} on each remote, for SSH).
     *
     * @return the commands, as run (with their output) or, for manual deployment, to run by hand
     * @throws LaunchException if a command fails, with its output; what this launch started and did not connect is
     *     stopped (processes killed, jobs cancelled) first
     * @throws IllegalArgumentException for a configuration that cannot work here (a tunnel to a host not on
     *     127.0.0.1, {@link LaunchConfig#local()}, which {@code Daemons} starts itself)
     */
    public static List<LaunchCommand> launch(int n, LaunchConfig<?> config, LaunchContext context) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(context, "context");
        if (n < 0) {
            throw new IllegalArgumentException("n : " + n + " (expected: >= 0)");
        }
        try {
            List<LaunchCommand> commands = launchAll(n, config, context);
            if (!(config instanceof LaunchConfig.Manual)) {
                commands.forEach(c -> LOG.info("launched: {}", c)); // toString never shows the secret
            }
            return commands;
        } catch (LaunchException e) {
            LOG.warn("launch failed: {}", e.getMessage()); // the command, its exit code and output; never the secret
            throw e;
        }
    }

    private static List<LaunchCommand> launchAll(int n, LaunchConfig<?> config, LaunchContext context) {
        if (config instanceof LaunchConfig.Ssh ssh) {
            return n == 0 ? List.of() : SshLauncher.launch(ssh, context, n);
        } else if (config instanceof LaunchConfig.Remote remote) {
            return CommandLauncher.launch(remote, context, n);
        } else if (config instanceof LaunchConfig.Cluster cluster) {
            return ClusterLauncher.launch(cluster, context, n);
        } else if (config instanceof LaunchConfig.Kubernetes kubernetes) {
            return KubernetesLauncher.launch(
                    kubernetes,
                    context,
                    n,
                    kubernetes.scriptDir != null ? kubernetes.scriptDir : ClusterLauncher.DEFAULT_SCRIPT_DIR);
        } else if (config instanceof LaunchConfig.Manual manual) {
            return ManualLauncher.commands(manual, context, n);
        } else {
            throw new IllegalArgumentException("local daemons are started by Daemons.launchLocal: config=" + config);
        }
    }

    /** Starts each command, hands it to the host, and waits for its daemons (killing those that fail). */
    static void holdAll(List<LaunchCommand> commands, LaunchConfig<?> config, LaunchContext context) {
        List<Processes.Held> held = new ArrayList<>(commands.size());
        try {
            for (LaunchCommand c : commands) {
                LocalProcess p = Processes.startHeld(c, config.common.env(), context.secretFor(c.slots()));
                context.adopt().accept(p);
                held.add(new Processes.Held(c, p));
            }
        } catch (RuntimeException e) {
            for (Processes.Held h : held) {
                h.process().process().destroyForcibly();
                h.process().stop(java.time.Duration.ofSeconds(5));
            }
            throw e;
        }
        Processes.awaitConnected(held, context, config.common.timeout());
    }
}
