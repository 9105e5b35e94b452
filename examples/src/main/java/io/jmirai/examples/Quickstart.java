package io.jmirai.examples;

import io.jmirai.Daemons;
import io.jmirai.ErrorValue;
import io.jmirai.Mirai;
import io.jmirai.MiraiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's quickstart: an embedded dispatcher, two local daemon JVMs, a batch of tasks, one failing task and a
 * status print.
 */
public final class Quickstart {
    private Quickstart() {}

    /**
     * Runs the quickstart.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        Duration wait = Duration.ofSeconds(30);
        try (Daemons daemons = Daemons.local(2)) { // dispatcher + 2 daemon JVMs, connected on return
            System.out.println("dispatcher at " + daemons.url() + ", host pid "
                    + ProcessHandle.current().pid());

            List<Mirai<String>> batch = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                int n = i; // captured variables travel with the task
                batch.add(daemons.mirai(() -> {
                    Thread.sleep(100); // some work
                    return "sqrt(" + n + ") = " + String.format("%.4f", Math.sqrt(n)) + " in daemon pid "
                            + ProcessHandle.current().pid();
                }));
            }
            Mirai<Integer> failing = daemons.mirai(() -> Integer.parseInt("forty-two"));

            for (Mirai<String> m : batch) {
                System.out.println(m.get(wait)); // blocks until that task is back
            }

            failing.toCompletableFuture().exceptionally(e -> null).get(); // wait without throwing
            Object data = failing.data(); // never throws: the value or an ErrorValue
            if (data instanceof MiraiError e) {
                System.out.println("failing task -> code " + e.code() + ": " + e.message());
                System.out.println("  remote stack: " + e.stackTrace().get(0));
            } else if (data instanceof ErrorValue e) {
                System.out.println("failing task -> code " + e.code() + ": " + e.message());
            }

            System.out.println();
            System.out.print(daemons.status());
        }
    }
}
