package io.jmirai.examples;

import io.jmirai.Daemons;
import io.jmirai.ErrorValue;
import io.jmirai.Mirai;
import io.jmirai.MiraiOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * A task that runs out of time resolves to code 5 at once and its daemon thread is interrupted; {@code stop()}
 * cancels (code 20), whether the task is queued or running; a stop after the task finished changes nothing.
 */
public final class TimeoutsAndCancellation {
    private TimeoutsAndCancellation() {}

    /**
     * Runs the example on one local daemon.
     *
     * @param args ignored
     * @throws Exception if the example fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @throws Exception if the example fails
     */
    public static void run(PrintStream out) throws Exception {
        Duration wait = Duration.ofSeconds(30);
        try (Daemons daemons = Daemons.local(1)) {
            Mirai<String> slow = daemons.mirai(
                    () -> {
                        Thread.sleep(60_000); // interrupted when the timeout runs out
                        return "never";
                    },
                    MiraiOptions.defaults().timeout(Duration.ofMillis(500)));
            slow.toCompletableFuture().exceptionally(e -> null).get(); // wait without throwing
            out.println("timed out -> code " + ((ErrorValue) slow.data()).code());

            Mirai<String> running = daemons.mirai(() -> {
                Thread.sleep(60_000);
                return "never";
            });
            Mirai<String> queued = daemons.mirai(() -> "queued behind it"); // one daemon: this one waits
            int stopped = Mirai.stop(List.of(running, queued));
            out.println("stopped " + stopped + " -> codes " + ((ErrorValue) running.data()).code() + ", "
                    + ((ErrorValue) queued.data()).code());

            Mirai<String> quick = daemons.mirai(() -> "done");
            out.println("quick -> " + quick.get(wait) + ", stop afterwards changes it: " + quick.stop());
        }
    }
}
