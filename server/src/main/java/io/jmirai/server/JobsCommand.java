package io.jmirai.server;

import io.jmirai.Daemons;
import io.jmirai.Job;
import io.jmirai.JobStatus;
import io.jmirai.JobSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar jmirai-server.jar jobs list|status|fetch|delete --credentials FILE}: a server's jobs for people at
 * a shell, through a client connection ({@link Daemons#connect}). Values are printed with {@code toString()}; a value
 * of a class of your own needs that class on the classpath ({@code java -cp jmirai-server.jar:app.jar
 * io.jmirai.server.ServerMain jobs fetch ...}). Runs on the calling thread.
 */
@Command(
        name = "jobs",
        mixinStandardHelpOptions = true,
        description = "Lists, inspects, fetches and deletes the jobs of a running jmirai server.",
        subcommands = {
            JobsCommand.ListJobs.class,
            JobsCommand.StatusOf.class,
            JobsCommand.Fetch.class,
            JobsCommand.Delete.class
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:failed (message on stderr: no such job, server unreachable)", "2:bad arguments"})
final class JobsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs {@code jobs ARGS}; @return the exit code */
    static int run(String[] args) {
        return new CommandLine(new JobsCommand()).execute(args);
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing subcommand: one of list, status, fetch, delete");
    }

    /** The option every subcommand takes, and the connection. */
    abstract static class Base implements Callable<Integer> {
        @Option(
                names = "--credentials",
                required = true,
                paramLabel = "FILE",
                description = "the server's credentials file (written by the server, mode 0600)")
        Path credentials;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (Daemons server = Daemons.connect(credentials, Duration.ofSeconds(30))) {
                run(server, out);
            } catch (IllegalArgumentException | IllegalStateException | TimeoutException e) {
                spec.commandLine().getErr().println("jmirai-server jobs: " + e.getMessage());
                return 1;
            } finally {
                out.flush();
            }
            return 0;
        }

        abstract void run(Daemons server, PrintWriter out) throws Exception;
    }

    /** {@code jobs list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every job, oldest first.")
    static final class ListJobs extends Base {
        @Override
        void run(Daemons server, PrintWriter out) {
            List<JobSummary> jobs = server.jobs();
            out.printf("%-32s %-24s %8s %8s %8s %s%n", "id", "created", "total", "done", "failed", "state");
            for (JobSummary j : jobs) {
                out.printf(
                        "%-32s %-24s %8d %8d %8d %s%n",
                        j.id(), j.created(), j.total(), j.done(), j.failed(), j.state());
            }
        }
    }

    /** {@code jobs status ID}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Where a job's tasks are.")
    static final class StatusOf extends Base {
        @Parameters(paramLabel = "ID", description = "the job's id")
        String id;

        @Override
        void run(Daemons server, PrintWriter out) {
            JobStatus s = server.job(id).status();
            out.printf(
                    "job=%s total=%d queued=%d running=%d done=%d failed=%d%n",
                    id, s.total(), s.queued(), s.running(), s.done(), s.failed());
        }
    }

    /** {@code jobs fetch ID [--wait SECONDS] [--delete]}. */
    @Command(
            name = "fetch",
            mixinStandardHelpOptions = true,
            description = "Prints a job's results, one line each: index, a tab, the value (or the error).")
    static final class Fetch extends Base {
        @Parameters(paramLabel = "ID", description = "the job's id")
        String id;

        @Option(
                names = "--wait",
                paramLabel = "SECONDS",
                defaultValue = "0",
                description = "wait up to this long for every result (0: print what is done now)")
        long waitSeconds;

        @Option(names = "--delete", description = "delete the job once every result is printed (needs --wait)")
        boolean delete;

        @Override
        void run(Daemons server, PrintWriter out) throws Exception {
            Job<Object> job = server.job(id);
            List<Object> results = waitSeconds > 0 ? job.results(Duration.ofSeconds(waitSeconds)) : job.fetch();
            for (int i = 0; i < results.size(); i++) {
                Object v = results.get(i);
                out.println(i + "\t" + (v == io.jmirai.Mirai.UNRESOLVED ? "(not done)" : String.valueOf(v)));
            }
            if (delete) {
                if (waitSeconds <= 0) {
                    throw new IllegalArgumentException("--delete needs --wait (every result fetched first)");
                }
                job.delete();
            }
        }
    }

    /** {@code jobs delete ID}. */
    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Deletes a job: stops its tasks and removes its stored payloads and results.")
    static final class Delete extends Base {
        @Parameters(paramLabel = "ID", description = "the job's id")
        String id;

        @Override
        void run(Daemons server, PrintWriter out) {
            if (!server.job(id).delete()) {
                throw new IllegalArgumentException("unknown job: job=" + id);
            }
            out.println("deleted " + id);
        }
    }
}
