package io.jmirai.server;

import io.jmirai.Daemons;
import io.jmirai.Job;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

/**
 * A client in a JVM of its own, for {@link JobsTest}: {@code JobClientMain CREDENTIALS JOB_ID N} connects, submits job
 * {@code JOB_ID} of the squares of {@code 0 .. N-1}, prints {@code submitted ID} and then waits to be killed.
 */
public final class JobClientMain {
    private JobClientMain() {}

    /** Runs the client. */
    public static void main(String[] args) throws Exception {
        Daemons server = Daemons.connect(Path.of(args[0]));
        List<Integer> items =
                IntStream.range(0, Integer.parseInt(args[2])).boxed().toList();
        Job<Integer> job = server.submitJob(args[1], items, x -> x * x);
        System.out.println("submitted " + job.id());
        System.out.flush();
        new CountDownLatch(1).await(); // until killed: the job must not depend on this JVM
    }
}
