package io.jmirai.examples;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.launch.DaemonJar;
import io.jmirai.launch.LaunchConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Daemons on a Slurm cluster, started with {@code srun} (one job step per daemon, held by the host while the daemons
 * run and ended when it closes). The daemon jar and this example's classes are found on a file system the nodes share.
 * Needs {@code srun} on the PATH; set {@code JMIRAI_SLURM_CONF} to use a test cluster's {@code slurm.conf}.
 */
public final class SlurmSrun {
    /** Names a {@code slurm.conf} for the example's {@code srun}, e.g. the one scripts/slurm-cluster.sh made. */
    public static final String SLURM_CONF_ENV = "JMIRAI_SLURM_CONF";

    private SlurmSrun() {}

    /**
     * Runs the example.
     *
     * @param args optionally the URL the host listens on and the nodes dial, such as {@code tcp://10.0.0.1:0}
     *     (default {@code tcp://127.0.0.1:0}, enough for a single-node cluster)
     * @throws Exception if the example fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out, args.length > 0 ? args[0] : "tcp://127.0.0.1:0");
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @param url the URL the host listens on
     * @throws Exception if the example fails
     */
    public static void run(PrintStream out, String url) throws Exception {
        String classes = DaemonClasspath.forTasksOf(SlurmSrun.class);
        LaunchConfig.Remote srun = LaunchConfig.remote("srun", "--immediate=30", "-n1", "--quiet", LaunchConfig.DAEMON)
                .java(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .jar(DaemonJar.locate().toString())
                .daemonOptions(DaemonOptions.defaults().classpath(classes))
                .timeout(Duration.ofSeconds(60));
        String conf = System.getenv(SLURM_CONF_ENV);
        if (conf != null) {
            srun = srun.env("SLURM_CONF", conf);
        }
        try (Daemons daemons = Daemons.builder().url(url).start()) {
            daemons.launchRemote(2, srun).forEach(c -> out.println("started: " + c.shell()));
            Set<String> jobs = new HashSet<>(); // a task outside Slurm would add null
            for (int i = 0; i < 4; i++) {
                jobs.add(daemons.mirai(() -> System.getenv("SLURM_JOB_ID")).get(Duration.ofSeconds(30)));
            }
            out.println("tasks ran in Slurm jobs: " + jobs.stream().allMatch(Objects::nonNull) + ", connected daemons: "
                    + daemons.status().connections());
        }
    }
}
