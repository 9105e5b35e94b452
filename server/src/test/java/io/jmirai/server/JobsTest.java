package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.Daemons;
import io.jmirai.ErrorValue;
import io.jmirai.Job;
import io.jmirai.JobStatus;
import io.jmirai.JobSummary;
import io.jmirai.MapOptions;
import io.jmirai.Mirai;
import io.jmirai.api.DaemonContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a real server process with a daemon JVM of its own: submitted by one client JVM (killed -9 right after
 * {@code submitJob} returns) and fetched by id from another; listed, reduced, fetched and deleted; and a server killed
 * -9 mid-job and restarted on the same store completes the job with every result exactly once.
 */
@Tag("integration")
@Timeout(400)
class JobsTest {
    // Generous: JVM starts on a 2-core machine shared with other builds take seconds each.
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private String[] serverArgs() {
        return new String[] {
            "--url",
            "tcp://127.0.0.1:0",
            "--store",
            dir.resolve("jobs.db").toString(),
            "--credentials",
            credentials().toString(),
            "--local",
            "1",
            "--classpath",
            Path.of("target", "test-classes").toAbsolutePath().toString()
        };
    }

    private ServerProcess startServer() throws Exception {
        ServerProcess server = ServerProcess.server(serverArgs());
        server.await(l -> l.equals("daemons: 1 connected"), WAIT);
        return server;
    }

    private Path credentials() {
        return dir.resolve("server.credentials");
    }

    @Test
    void aJobSubmittedByOneClientJvmIsFetchedByIdFromAnother() throws Exception {
        try (ServerProcess server = startServer()) {
            try (ServerProcess submitter = ServerProcess.java(
                    JobClientMain.class.getName(), credentials().toString(), "squares", "20")) {
                submitter.await(l -> l.equals("submitted squares"), WAIT);
                submitter.kill9(); // at once: the job lives on the server
            }
            try (Daemons client = Daemons.connect(credentials(), WAIT)) {
                Job<Integer> job = client.job("squares");
                List<Object> squares =
                        IntStream.range(0, 20).mapToObj(i -> (Object) (i * i)).toList();
                assertThat(job.results(WAIT)).isEqualTo(squares);
                assertThat(job.status()).isEqualTo(new JobStatus(20, 0, 0, 20, 0));
                assertThat(job.fetch()).isEqualTo(squares);
                assertThat(job.reduce(0, Integer::sum, WAIT)).isEqualTo(2470);
                List<JobSummary> jobs = client.jobs();
                assertThat(jobs).extracting(JobSummary::id).containsExactly("squares");
                assertThat(jobs.get(0).state()).isEqualTo("COMPLETE");
                assertThat(jobs.get(0).done()).isEqualTo(20);

                String creds = credentials().toString();
                try (ServerProcess list = ServerProcess.server("jobs", "list", "--credentials", creds)) {
                    assertThat(list.await(l -> l.startsWith("squares "), WAIT)).contains("COMPLETE");
                    assertThat(list.exitCode(WAIT)).isZero();
                }
                try (ServerProcess status = ServerProcess.server("jobs", "status", "squares", "--credentials", creds)) {
                    status.await(l -> l.equals("job=squares total=20 queued=0 running=0 done=20 failed=0"), WAIT);
                    assertThat(status.exitCode(WAIT)).isZero();
                }
                try (ServerProcess fetch = ServerProcess.server("jobs", "fetch", "squares", "--credentials", creds)) {
                    fetch.await(l -> l.equals("0\t0"), WAIT);
                    fetch.await(l -> l.equals("19\t361"), WAIT);
                    assertThat(fetch.exitCode(WAIT)).isZero();
                }
                try (ServerProcess unknown = ServerProcess.server("jobs", "delete", "nope", "--credentials", creds)) {
                    unknown.await(l -> l.contains("unknown job"), WAIT);
                    assertThat(unknown.exitCode(WAIT)).isEqualTo(1);
                }

                assertThatThrownBy(() -> client.submitJob("squares", List.of(1), x -> x))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("squares");
                assertThat(job.fetchAndDelete(WAIT)).isEqualTo(squares);
                assertThatThrownBy(() -> client.job("squares"))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("unknown job");
                assertThat(client.jobs()).isEmpty();
                assertThat(server.process.isAlive()).isTrue();
            }
        }
    }

    @Test
    void fetchShowsWhatIsDoneErrorsStayInPlaceAndDeleteStopsTheRest() throws Exception {
        try (ServerProcess server = startServer();
                Daemons client = Daemons.connect(credentials(), WAIT)) {
            Job<Integer> mixed = client.submitJob(null, List.of(1, 0, 2), x -> 10 / x);
            assertThat(mixed.id()).startsWith("job-");
            List<Object> out = mixed.results(WAIT);
            assertThat(out.get(0)).isEqualTo(10);
            assertThat(out.get(1)).isInstanceOf(ErrorValue.class);
            assertThat(out.get(2)).isEqualTo(5);
            assertThat(mixed.status().failed()).isEqualTo(1);

            Job<Integer> files = client.submitJob(
                    "files",
                    List.of(1, 2),
                    x -> {
                        Path own = DaemonContext.taskDirectory(); // each task gets a fresh one
                        Files.writeString(own.resolve("out-" + x + ".txt"), "value " + x);
                        Files.createDirectories(own.resolve("sub"));
                        Files.writeString(own.resolve("sub/deep.txt"), "deep " + x);
                        Files.writeString(own.resolve("skipped.log"), "not collected");
                        return x;
                    },
                    MapOptions.defaults().outputFiles("**.txt"));
            assertThat(files.results(WAIT)).containsExactly(1, 2);
            Path download = dir.resolve("download");
            assertThat(files.outputFiles(download))
                    .containsExactly(
                            download.resolve("0/out-1.txt").toAbsolutePath(),
                            download.resolve("0/sub/deep.txt").toAbsolutePath(),
                            download.resolve("1/out-2.txt").toAbsolutePath(),
                            download.resolve("1/sub/deep.txt").toAbsolutePath());
            assertThat(Files.readString(download.resolve("1/out-2.txt"))).isEqualTo("value 2");
            assertThat(Files.readString(download.resolve("0/sub/deep.txt"))).isEqualTo("deep 1");
            assertThat(files.delete()).isTrue();

            Job<Integer> slow = client.submitJob("slow", List.of(1, 2, 3), x -> {
                Thread.sleep(60_000); // the task: still running or queued when the job is deleted
                return x;
            });
            List<Object> none = slow.fetch();
            assertThat(none).hasSize(3).allMatch(v -> v == Mirai.UNRESOLVED);
            assertThat(slow.status().total()).isEqualTo(3);
            assertThat(slow.delete()).isTrue();
            assertThat(client.jobs()).extracting(JobSummary::id).containsExactly(mixed.id());
            // the deleted job's running task was stopped: the one daemon takes new work at once
            assertThat(client.mirai(() -> "free").get(WAIT)).isEqualTo("free");
            assertThat(server.process.isAlive()).isTrue();
        }
    }

    @Test
    void embeddedDaemonsHaveNoJobs() {
        try (Daemons embedded = Daemons.builder().start()) {
            assertThatThrownBy(() -> embedded.submitJob("x", List.of(1), x -> x))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Daemons.connect");
        }
    }

    @Test
    void aServerKilledMidJobResumesOnRestartAndStoresEveryResultOnce() throws Exception {
        int n = 30;
        Path runs = dir.resolve("runs");
        Files.createDirectories(runs);
        String runsDir = runs.toString();
        ServerProcess server = startServer();
        try {
            try (Daemons client = Daemons.connect(credentials(), WAIT)) {
                Job<Integer> job =
                        client.submitJob("resume", IntStream.range(0, n).boxed().toList(), x -> {
                            Files.writeString( // one line per run of the task, to count the runs
                                    Path.of(runsDir, "task-" + x),
                                    "run\n",
                                    StandardCharsets.UTF_8,
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.APPEND);
                            Thread.sleep(300); // the task's work: long enough for the kill to land mid-job
                            return x * 10;
                        });
                awaitDone(job, 5);
                server.kill9();
            }
            assertThat(Files.list(runs).count()).as("the kill landed mid-job").isLessThan(n);

            server = startServer();
            try (Daemons client = Daemons.connect(credentials(), WAIT)) {
                Job<Integer> job = client.job("resume");
                List<Object> expected =
                        IntStream.range(0, n).mapToObj(i -> (Object) (i * 10)).toList();
                assertThat(job.results(WAIT)).isEqualTo(expected); // each index once, in order
                assertThat(job.status()).isEqualTo(new JobStatus(n, 0, 0, n, 0));
                for (int i = 0; i < n; i++) {
                    assertThat(Files.readAllLines(runs.resolve("task-" + i)))
                            .as("runs of task %d", i)
                            .isNotEmpty();
                }
                assertThat(client.jobs()).singleElement().satisfies(s -> {
                    assertThat(s.done()).isEqualTo(n);
                    assertThat(s.state()).isEqualTo("COMPLETE");
                });
            }
        } finally {
            server.close();
        }
    }

    /** Polls the job's status until {@code done} results are stored (bounded by {@link #WAIT}). */
    private static void awaitDone(Job<?> job, int done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (job.status().done() < done) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + done + " results within " + WAIT + ": " + job.status());
            }
            Thread.sleep(100); // polling another process's progress, not synchronising threads
        }
    }
}
