package io.jmirai.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running the PBS, LSF and Kubernetes commands, against stand-in {@code qsub}/{@code qdel}, {@code bsub} and {@code
 * kubectl} scripts that record what they were given and answer as the real ones do (no such scheduler runs here; Slurm
 * is tested for real in {@code SlurmLauncherTest}).
 */
@Tag("integration")
@Timeout(60)
class FakeSchedulerTest {
    private static final String SECRET = "c2VjcmV0LXRlc3Q";

    @TempDir
    Path bin;

    @TempDir
    Path jobs;

    private Path log;

    @BeforeEach
    void writeFakes() throws Exception {
        log = bin.resolve("calls.log");
        fake("qsub", """
                echo "qsub $*" >> "$FAKE_LOG"
                n=$(( $(cat "$FAKE_DIR/count" 2>/dev/null || echo 100) + 1 )); echo $n > "$FAKE_DIR/count"
                if [ "$n" = "${FAIL_AT:-0}" ]; then echo "qsub: Unknown queue" >&2; exit 1; fi
                echo "$n.pbsserver"
                """);
        fake("qdel", "echo \"qdel $*\" >> \"$FAKE_LOG\"\n");
        fake("bsub", """
                cat > "$FAKE_DIR/bsub-stdin"
                echo "bsub $*" >> "$FAKE_LOG"
                echo "Job <42> is submitted to queue <normal>."
                """);
        fake("kubectl", """
                echo "kubectl $*" >> "$FAKE_LOG"
                for a in "$@"; do
                  case "$a" in --from-file=secret=*) cat "${a#--from-file=secret=}" > "$FAKE_DIR/k8s-secret" ;; esac
                done
                for last in "$@"; do :; done
                case " $* " in *" apply -f "*) cat "$last" > "$FAKE_DIR/k8s-manifest" ;; esac
                echo "created"
                """);
    }

    private void fake(String name, String body) throws Exception {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    }

    private static LaunchContext context() {
        AtomicInteger next = new AtomicInteger(1);
        return new LaunchContext(
                ListenUrl.parse("tcp://10.0.0.1:5555"),
                SECRET,
                null,
                DaemonOptions.defaults(),
                n -> {
                    List<Integer> slots = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        slots.add(next.getAndIncrement());
                    }
                    return slots;
                },
                slot -> new CompletableFuture<>(),
                p -> {});
    }

    private <C extends LaunchConfig<C>> C withFakes(C config) {
        return config.env("FAKE_LOG", log.toString()).env("FAKE_DIR", bin.toString());
    }

    @Test
    void shouldSubmitPbsJobsAndReportTheirIds() throws Exception {
        List<LaunchCommand> submitted = Launchers.launch(
                2,
                withFakes(LaunchConfig.cluster(bin.resolve("qsub").toString(), "-l walltime=1:00:00")
                        .scriptDir(jobs)),
                context());
        assertThat(submitted).extracting(LaunchCommand::jobId).containsExactly("101", "102");
        assertThat(submitted.get(0).output()).isEqualTo("101.pbsserver");
        assertThat(submitted.get(0).script()).contains("#PBS -N jmirai\n", "#PBS -l walltime=1:00:00\n");
        Path script = Path.of(submitted.get(1).command().get(1));
        assertThat(Files.readAllLines(log))
                .containsExactly("qsub " + submitted.get(0).command().get(1), "qsub " + script);
        assertThat(Files.readString(script.getParent().resolve("secret"))).isEqualTo(SECRET + "\n");
        assertThat(Files.getPosixFilePermissions(script.getParent().resolve("secret")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void shouldCancelTheJobsItSubmittedWhenALaterSubmissionFails() throws Exception {
        LaunchConfig.Cluster config = withFakes(
                        LaunchConfig.cluster(bin.resolve("qsub").toString(), "").scriptDir(jobs))
                .env("FAIL_AT", "103");
        assertThatThrownBy(() -> Launchers.launch(3, config, context()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("job submission failed")
                .hasMessageContaining("exitCode=1")
                .hasMessageContaining("qsub: Unknown queue");
        assertThat(Files.readAllLines(log)).last().isEqualTo("qdel 101 102");
        try (Stream<Path> secrets = Files.walk(jobs)) {
            assertThat(secrets.filter(p -> p.getFileName().toString().equals("secret")))
                    .as("the secret file is gone")
                    .isEmpty();
        }
    }

    @Test
    void shouldFeedTheJobScriptToBsubOnItsStandardInput() throws Exception {
        List<LaunchCommand> submitted = Launchers.launch(
                1,
                withFakes(LaunchConfig.cluster(bin.resolve("bsub").toString(), "-n 1")
                        .scriptDir(jobs)),
                context());
        assertThat(submitted.get(0).jobId()).isEqualTo("42");
        assertThat(submitted.get(0).command()).startsWith("sh", "-c");
        assertThat(Files.readString(bin.resolve("bsub-stdin")))
                .isEqualTo(submitted.get(0).script());
        assertThat(submitted.get(0).script()).contains("#BSUB -J jmirai\n", "#BSUB -n 1\n");
    }

    @Test
    void shouldCreateTheKubernetesSecretFromAFileThenApplyTheJobs() throws Exception {
        List<LaunchCommand> ran = Launchers.launch(
                2,
                withFakes(LaunchConfig.kubernetes("my/app:1")
                        .kubectl(bin.resolve("kubectl").toString())
                        .scriptDir(jobs)),
                context());
        assertThat(ran).hasSize(2);
        assertThat(ran).extracting(LaunchCommand::output).containsOnly("created");
        List<String> calls = Files.readAllLines(log);
        assertThat(calls.get(0)).contains(" create secret generic jmirai-").doesNotContain(SECRET);
        assertThat(calls.get(1)).contains(" apply -f ").endsWith("jobs.yaml");
        assertThat(Files.readString(bin.resolve("k8s-secret"))).isEqualTo(SECRET + "\n");
        assertThat(Files.readString(bin.resolve("k8s-manifest")))
                .isEqualTo(ran.get(1).script());
        try (Stream<Path> files = Files.walk(jobs)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("jobs.yaml")
                    .doesNotContain("secret");
        }
    }

    @Test
    void shouldExplainAMissingSchedulerCommand() {
        assertThatThrownBy(() -> Launchers.launch(
                        1,
                        LaunchConfig.cluster(bin.resolve("nowhere/sbatch").toString(), "")
                                .scriptDir(jobs),
                        context()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot run command")
                .hasMessageContaining("nowhere/sbatch");
    }
}
