package io.jmirai.examples;

import io.jmirai.Daemons;
import io.jmirai.Job;
import io.jmirai.JobSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The README's server example, a client of a standalone server ({@code java -jar jmirai-server.jar}):
 * {@code ServerJobs CREDENTIALS submit} stores job {@code squares} and exits; {@code ServerJobs CREDENTIALS fetch},
 * run later from any JVM, fetches it by id, reduces it and deletes it; {@code ServerJobs CREDENTIALS mirai} runs a
 * mirai and a map through the server; {@code ServerJobs CREDENTIALS shutdown} stops the server.
 */
public final class ServerJobs {
    private ServerJobs() {}

    /**
     * Runs one step.
     *
     * @param args the credentials file and the step
     */
    public static void main(String[] args) throws Exception {
        Duration wait = Duration.ofMinutes(1);
        try (Daemons server = Daemons.connect(Path.of(args[0]))) { // a client: close() leaves the server running
            switch (args[1]) {
                case "mirai" -> {
                    System.out.println("6 * 7 = " + server.mirai(() -> 6 * 7).get(wait));
                    System.out.println("squares "
                            + server.map(List.of(1, 2, 3), x -> x * x).collect());
                    System.out.println("server daemons: " + server.status().connections());
                }
                case "submit" -> {
                    List<Integer> items = IntStream.rangeClosed(1, 10).boxed().toList();
                    Job<Integer> job = server.submitJob("squares", items, x -> x * x); // stored on return
                    System.out.println(
                            "stored job " + job.id() + ": " + job.status().total() + " tasks");
                }
                case "fetch" -> {
                    Job<Integer> job = server.job("squares"); // by id, from another JVM
                    System.out.println("results " + job.results(wait));
                    System.out.println("status " + job.status());
                    System.out.println("sum " + job.reduce(0, Integer::sum, wait));
                    for (JobSummary s : server.jobs()) {
                        System.out.println("job " + s.id() + " " + s.state() + " " + s.done() + "/" + s.total());
                    }
                    System.out.println("deleted " + job.delete() + ", jobs left "
                            + server.jobs().size());
                }
                case "shutdown" -> server.shutdownServer();
                default -> throw new IllegalArgumentException("unknown step: " + args[1]);
            }
        }
    }
}
