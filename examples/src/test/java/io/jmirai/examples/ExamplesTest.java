package io.jmirai.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs every example, with real daemon JVMs, and checks what it prints, so the examples cannot rot. */
@Tag("integration")
@Timeout(180)
class ExamplesTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quickstartShouldRunItsBatchAndReportTheFailingTask() throws Exception {
        PrintStream original = System.out;
        System.setOut(out);
        try {
            Quickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertThat(printed())
                .contains("sqrt(2) = 1.4142 in daemon pid")
                .contains("failing task -> code 100: java.lang.NumberFormatException")
                .contains("connections: 2");
    }

    @Test
    void mapWithProgressShouldReportEveryElementAndKeepInputOrder() throws Exception {
        MapWithProgress.run(out);
        assertThat(printed())
                .contains("progress 0/12\n")
                .contains("progress 12/12\n")
                .contains("squares "
                        + IntStream.rangeClosed(1, 12).map(x -> x * x).boxed().toList())
                .contains("scaled [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]");
    }

    @Test
    void timeoutsAndCancellationShouldResolveWithTheirCodes() throws Exception {
        TimeoutsAndCancellation.run(out);
        assertThat(printed())
                .contains("timed out -> code 5\n")
                .contains("stopped 2 -> codes 20, 20\n")
                .contains("quick -> done, stop afterwards changes it: false\n");
    }

    @Test
    void computeProfilesShouldKeepTheirOwnDaemons() throws Exception {
        ComputeProfiles.run(out);
        assertThat(printed())
                .contains("default profile daemons: 2, a task ran in pid")
                .contains("big profile max heap >= 256 MiB: true");
    }

    @Test
    void tlsManualDaemonShouldRunATaskInTheDaemonItStartedByHand() throws Exception {
        TlsManualDaemon.run(out);
        assertThat(printed())
                .contains("java -jar ")
                .contains(" tls+tcp://127.0.0.1:")
                .contains("--cert-pem=-----BEGIN CERTIFICATE-----")
                .contains("--classpath must hold")
                .contains("over tls+tcp: the task ran in the hand-started daemon: true");
    }

    /** Like the dispatcher's launcher tests: skipped without a Slurm cluster, failed under CI=true. */
    @Test
    void slurmSrunShouldRunTasksInSlurmJobs() throws Exception {
        String conf = System.getenv(SlurmSrun.SLURM_CONF_ENV);
        if (conf == null || !Files.isRegularFile(Path.of(conf))) {
            String message = SlurmSrun.SLURM_CONF_ENV + " is not set up: run scripts/slurm-cluster.sh start";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI must run the Slurm example against a real cluster: " + message);
            }
            Assumptions.abort(message);
        }
        SlurmSrun.run(out, "tcp://127.0.0.1:0");
        assertThat(printed())
                .contains("started: srun --immediate=30 -n1 --quiet ")
                .contains("tasks ran in Slurm jobs: true, connected daemons: 2");
    }
}
