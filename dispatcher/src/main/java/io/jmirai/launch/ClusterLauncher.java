package io.jmirai.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Submits one batch job per daemon ({@code sbatch}, {@code qsub}, {@code bsub}). Each launch gets a private
 * directory in the script directory with the secret file (mode 600, deleted once every job's daemon has connected or
 * the host has closed), the certificate for TLS URLs, the job scripts and the jobs' output. Jobs whose daemon has not
 * connected when the host closes are cancelled; the others end with their daemons.
 */
final class ClusterLauncher {
    static final Path DEFAULT_SCRIPT_DIR = Path.of(System.getProperty("user.home"), ".jmirai", "jobs");

    private static final Pattern JOB_ID = Pattern.compile("\\d+");

    private ClusterLauncher() {}

    /** The job script for one daemon. */
    static String script(LaunchConfig.Cluster config, Path dir, List<String> daemonArgv) {
        LaunchConfig.Cluster.Scheduler s = config.scheduler;
        StringBuilder b = new StringBuilder("#!/bin/sh\n");
        b.append(s.prefix).append(' ').append(s.jobName).append('\n');
        String out = dir.resolve("job-%j.out").toString();
        switch (s) {
            case SBATCH ->
                b.append(s.prefix).append(" --output=").append(Shell.quote(out)).append('\n');
            case QSUB ->
                b.append(s.prefix)
                        .append(" -j oe -o ")
                        .append(Shell.quote(dir + "/"))
                        .append('\n');
            case BSUB ->
                b.append(s.prefix)
                        .append(" -o ")
                        .append(Shell.quote(dir.resolve("job-%J.out").toString()))
                        .append('\n');
        }
        for (String line : config.options.lines().map(String::strip).toList()) {
            if (line.isEmpty()) {
                continue;
            }
            b.append(line.startsWith("#") ? line : s.prefix + " " + line).append('\n');
        }
        b.append("exec ").append(Shell.join(daemonArgv)).append('\n');
        return b.toString();
    }

    static List<LaunchCommand> launch(LaunchConfig.Cluster config, LaunchContext context, int n) {
        if (n == 0) {
            return List.of();
        }
        DaemonCommand daemon = DaemonCommand.of(config, context);
        Path dir = JobFiles.newLaunchDir(config.scriptDir != null ? config.scriptDir : DEFAULT_SCRIPT_DIR);
        Path secret = JobFiles.writeSecret(dir, context.secret());
        String certFile = null;
        if (daemon.certPem() != null) {
            certFile = JobFiles.write(dir.resolve("cert.pem"), daemon.certPem(), "rw-------")
                    .toString();
        }
        List<LaunchCommand> submitted = new ArrayList<>(n);
        try {
            for (int slot : context.reserveSlots().apply(n)) {
                String text = script(config, dir, daemon.argv(slot, "--secret-file=" + secret, certFile));
                Path file = JobFiles.write(dir.resolve("job-" + slot + ".sh"), text, "rwx------");
                List<String> argv = config.scheduler == LaunchConfig.Cluster.Scheduler.BSUB
                        ? List.of("sh", "-c", Shell.quote(config.command) + " < " + Shell.quote(file.toString()))
                        : List.of(config.command, file.toString());
                LaunchCommand command = new LaunchCommand(config.command, List.of(slot), argv, text, null, "", null);
                Processes.Result r = Processes.run(command, config.common.env(), null, config.common.timeout());
                if (r.exitCode() != 0) {
                    throw new LaunchException("job submission failed", command, r.exitCode(), r.output(), null);
                }
                Matcher m = JOB_ID.matcher(r.output());
                submitted.add(command.ran(r.output().strip(), m.find() ? m.group() : null));
            }
        } catch (RuntimeException e) {
            cancel(config, context, submitted);
            JobFiles.forget(secret);
            throw e;
        }
        List<LaunchCommand> jobs = List.copyOf(submitted);
        CompletableFuture<?>[] connected = jobs.stream()
                .map(c -> context.slotConnected().apply(c.slots().get(0)))
                .toArray(CompletableFuture[]::new);
        // Runs on the dispatcher's thread, when the last daemon connects or the host closes: no blocking here.
        CompletableFuture.allOf(connected).whenComplete((v, e) -> {
            JobFiles.forget(secret);
            List<LaunchCommand> never = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                if (connected[i].isCompletedExceptionally()) {
                    never.add(jobs.get(i));
                }
            }
            if (!never.isEmpty()) {
                Thread t = new Thread(() -> cancel(config, context, never), "jmirai-cancel-jobs");
                t.start();
            }
        });
        return jobs;
    }

    /** {@code scancel}, {@code qdel} or {@code bkill}: next to the submit command when that is given as a path. */
    static String cancelCommand(LaunchConfig.Cluster config) {
        Path parent = Path.of(config.command).getParent();
        return parent == null
                ? config.scheduler.cancel
                : parent.resolve(config.scheduler.cancel).toString();
    }

    /** Cancels jobs (best effort, bounded): {@code scancel}, {@code qdel} or {@code bkill} with their ids. */
    static void cancel(LaunchConfig.Cluster config, LaunchContext context, List<LaunchCommand> jobs) {
        List<String> argv = new ArrayList<>();
        argv.add(cancelCommand(config));
        for (LaunchCommand c : jobs) {
            if (c.jobId() != null) {
                argv.add(c.jobId());
            }
        }
        if (argv.size() == 1) {
            return;
        }
        LaunchCommand cancel = new LaunchCommand(config.command, List.of(), argv, null, null, "", null);
        try {
            Processes.run(cancel, config.common.env(), null, config.common.timeout());
        } catch (LaunchException e) {
            // Best effort: a job that cannot be cancelled starts, fails to reach the closed host and ends.
        }
    }
}
