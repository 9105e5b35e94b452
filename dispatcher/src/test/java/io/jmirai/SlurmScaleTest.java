package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LaunchConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autoscale and scale with daemons in {@code sbatch} jobs on the real single-node Slurm cluster
 * ({@code scripts/slurm-cluster.sh}); skipped without it, failed under {@code CI=true}. Every test ends with nothing of
 * its own left in the queue.
 */
@Tag("integration")
@Timeout(240)
@ExtendWith(LeakCheck.class)
class SlurmScaleTest {
    // Batch scheduling is deferred (about 1 s) and a daemon JVM starts slowly on a loaded machine.
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String JOB_NAME = "jmirai";

    @TempDir
    Path jobs;

    private String conf;

    @BeforeEach
    void requireCluster() throws Exception {
        conf = RemoteInfra.slurmConf();
        RemoteInfra.awaitSlurmNodeReady(conf); // a drained node makes srun wait for ever
    }

    @AfterEach
    void cancelLeftovers() throws Exception {
        if (conf != null) {
            RemoteInfra.run(List.of("scancel", "--name=" + JOB_NAME), conf);
        }
    }

    private List<String> queue() throws Exception {
        return RemoteInfra.run(List.of("squeue", "-h", "--name=" + JOB_NAME, "-o", "%i %T"), conf)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }

    private LaunchConfig.Cluster sbatch(String options) {
        return RemoteInfra.daemonOn(LaunchConfig.cluster("sbatch", options)
                .scriptDir(jobs)
                .env("SLURM_CONF", conf)
                .daemonOptions(RemoteInfra.taskClasspath())
                .timeout(WAIT));
    }

    @Test
    void shouldAutoscaleSbatchJobsUpForWaitingTasksAndLetThemEndWhenIdle() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .autoscale(0, 2, Duration.ofSeconds(2))
                .launchConfig(sbatch("--time=5"))
                .startTimeout(WAIT)
                .start()) {
            assertThat(queue()).isEmpty();
            List<Mirai<String>> ms = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ms.add(daemons.mirai(() -> {
                    Thread.sleep(200);
                    return System.getenv("SLURM_JOB_ID");
                }));
            }
            Set<String> jobIds = new HashSet<>();
            for (Mirai<String> m : ms) {
                jobIds.add(m.get(WAIT));
            }
            assertThat(jobIds).doesNotContainNull().hasSizeBetween(1, 2);
            assertThat(daemons.status().cumulative()).isBetween(1L, 2L);

            await("idle daemons retire and their jobs end")
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> daemons.status().connections() == 0 && queue().isEmpty());
            Status s = daemons.status();
            assertThat(s.expected()).isZero();
            assertThat(s.running() + s.initializing()).isZero();
            assertThat(s.launchFailures()).isEmpty();
        }
    }

    @Test
    void shouldCancelAndReportAJobWhoseDaemonNeverConnects() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .launchConfig(sbatch("--begin=now+1hour"))
                .startTimeout(Duration.ofSeconds(3))
                .start()) {
            daemons.scale(1);
            await("the job is submitted").atMost(WAIT).until(() -> !queue().isEmpty());
            assertThat(daemons.status().initializing()).isEqualTo(1);
            String jobId = queue().get(0).split(" ")[0];

            await("the launch is reported")
                    .atMost(WAIT)
                    .until(() -> !daemons.status().launchFailures().isEmpty());
            assertThat(daemons.status().launchFailures().get(0))
                    .contains("job did not connect within PT3S")
                    .contains("jobId=" + jobId);
            assertThat(daemons.status().initializing()).isZero();
            await("the job is cancelled").atMost(WAIT).until(() -> queue().isEmpty());
        }
    }
}
