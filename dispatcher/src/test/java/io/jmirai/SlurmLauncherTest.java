package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemons launched on a real single-node Slurm cluster ({@code scripts/slurm-cluster.sh}): with {@code srun}, held by
 * the host, and with {@code sbatch} job scripts. Every test ends with nothing of its own left in the queue.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(LeakCheck.class)
class SlurmLauncherTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SRUN_JOB = "jmirai-srun-test";

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
            RemoteInfra.run(List.of("scancel", "--name=jmirai"), conf);
            RemoteInfra.run(List.of("scancel", "--name=" + SRUN_JOB), conf);
        }
    }

    private List<String> queue(String name) throws Exception {
        return RemoteInfra.run(List.of("squeue", "-h", "--name=" + name, "-o", "%i %T"), conf)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }

    private void awaitEmptyQueue(String name, String why) {
        await(why)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> queue(name).isEmpty());
    }

    private LaunchConfig.Remote srun() {
        return RemoteInfra.daemonOn(
                LaunchConfig.remote("srun", "--immediate=30", "-n1", "-J", SRUN_JOB, "--quiet", LaunchConfig.DAEMON)
                        .env("SLURM_CONF", conf)
                        .daemonOptions(RemoteInfra.taskClasspath())
                        .timeout(WAIT));
    }

    private LaunchConfig.Cluster sbatch(String options, DaemonOptions daemonOptions) {
        return RemoteInfra.daemonOn(LaunchConfig.cluster("sbatch", options)
                .scriptDir(jobs)
                .env("SLURM_CONF", conf)
                .daemonOptions(daemonOptions)
                .timeout(WAIT));
    }

    private static Set<String> jobIdsSeenByTasks(Daemons daemons, int atLeast) throws Exception {
        Set<String> seen = new TreeSet<>();
        for (int round = 0; round < 20 && seen.size() < atLeast; round++) {
            List<Mirai<String>> ms = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ms.add(daemons.mirai(() -> {
                    Thread.sleep(50);
                    return System.getenv("SLURM_JOB_ID");
                }));
            }
            for (Mirai<String> m : ms) {
                seen.add(m.get(WAIT));
            }
        }
        return seen;
    }

    @Test
    void shouldRunTasksInDaemonsStartedWithSrunAndEndTheirJobsWhenTheHostCloses() throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            List<LaunchCommand> commands = daemons.launchRemote(2, srun());

            assertThat(commands).hasSize(2);
            assertThat(commands.get(0).command()).startsWith("srun", "--immediate=30");
            assertThat(commands.get(0).shell()).doesNotContain(daemons.secret());
            assertThat(daemons.status().connections()).isEqualTo(2);
            Set<String> jobIds = jobIdsSeenByTasks(daemons, 2);
            assertThat(jobIds).hasSize(2).doesNotContainNull();
            assertThat(queue(SRUN_JOB)).hasSize(2).allMatch(l -> l.endsWith(" RUNNING"));
        }
        awaitEmptyQueue(SRUN_JOB, "srun jobs end when the host closes");
    }

    @Test
    void shouldRunTasksInSbatchJobsThatEndAfterTheirIdleTime() throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            List<LaunchCommand> commands = daemons.launchRemote(
                    2, sbatch("--time=5", RemoteInfra.taskClasspath().idleTime(Duration.ofSeconds(3))));

            assertThat(commands).hasSize(2);
            List<String> jobIds = commands.stream().map(LaunchCommand::jobId).toList();
            assertThat(jobIds).doesNotContainNull().doesNotHaveDuplicates();
            LaunchCommand first = commands.get(0);
            assertThat(first.output()).isEqualTo("Submitted batch job " + first.jobId());
            assertThat(first.command()).hasSize(2).startsWith("sbatch");
            Path script = Path.of(first.command().get(1));
            assertThat(Files.readString(script)).isEqualTo(first.script());
            assertThat(first.script())
                    .startsWith("#!/bin/sh\n#SBATCH --job-name=jmirai\n")
                    .contains("#SBATCH --time=5\n", "--secret-file=", "--idletime=3000ms")
                    .doesNotContain(daemons.secret());
            assertThat(Files.getPosixFilePermissions(script.getParent()))
                    .extracting(p -> p.name())
                    .containsOnly("OWNER_READ", "OWNER_WRITE", "OWNER_EXECUTE");

            await("both jobs' daemons connect")
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> daemons.status().connections() == 2);
            assertThat(jobIdsSeenByTasks(daemons, 2)).containsExactlyInAnyOrderElementsOf(jobIds);
            await("the secret file is deleted once every job's daemon has connected")
                    .atMost(WAIT)
                    .until(() -> !Files.exists(script.getParent().resolve("secret")));

            awaitEmptyQueue("jmirai", "sbatch jobs end after their idle time, with the host still open");
            assertThat(daemons.status().connections()).isZero();
            try (Stream<Path> files = Files.list(script.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("the jobs' output stays in the launch directory")
                        .contains("job-" + first.jobId() + ".out");
            }
        }
    }

    @Test
    void shouldEndSbatchJobsWhenTheHostCloses() throws Exception {
        String jobId;
        try (Daemons daemons = Daemons.builder().start()) {
            jobId = daemons.launchRemote(1, sbatch("", RemoteInfra.taskClasspath()))
                    .get(0)
                    .jobId();
            await().atMost(WAIT).until(() -> daemons.status().connections() == 1);
            assertThat(daemons.mirai(() -> System.getenv("SLURM_JOB_ID")).get(WAIT))
                    .isEqualTo(jobId);
        }
        awaitEmptyQueue("jmirai", "the job ends when the host closes");
    }

    @Test
    void shouldCancelJobsThatHaveNotStartedWhenTheHostCloses() throws Exception {
        Path dir;
        try (Daemons daemons = Daemons.builder().start()) {
            List<LaunchCommand> commands =
                    daemons.launchRemote(1, sbatch("--begin=now+1hour", RemoteInfra.taskClasspath()));
            dir = Path.of(commands.get(0).command().get(1)).getParent();
            assertThat(queue("jmirai")).containsExactly(commands.get(0).jobId() + " PENDING");
            assertThat(dir.resolve("secret")).exists();
        }
        awaitEmptyQueue("jmirai", "a pending job is cancelled when the host closes");
        await().atMost(WAIT).until(() -> !Files.exists(dir.resolve("secret")));
    }

    @Test
    void shouldReportAnSbatchErrorWithItsOutputAndLeaveNothingBehind() throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            assertThatThrownBy(() ->
                            daemons.launchRemote(2, sbatch("--partition=nosuchpartition", DaemonOptions.defaults())))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("job submission failed")
                    .hasMessageContaining("target=sbatch")
                    .hasMessageContaining("exitCode=1")
                    .hasMessageContaining("invalid partition");
            assertThat(queue("jmirai")).isEmpty();
            try (Stream<Path> dirs = Files.list(jobs)) {
                assertThat(dirs.map(d -> d.resolve("secret")).filter(Files::exists))
                        .isEmpty();
            }
        }
    }

    @Test
    void shouldReportAnSrunErrorWithItsOutput() throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            LaunchConfig.Remote bad = RemoteInfra.daemonOn(LaunchConfig.remote(
                            "srun", "--immediate=10", "-p", "nosuchpartition", "-J", SRUN_JOB, LaunchConfig.DAEMON)
                    .env("SLURM_CONF", conf));
            assertThatThrownBy(() -> daemons.launchRemote(1, bad))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("daemon command exited before its daemons connected")
                    .hasMessageContaining("invalid partition");
            assertThat(queue(SRUN_JOB)).isEmpty();
        }
    }
}
