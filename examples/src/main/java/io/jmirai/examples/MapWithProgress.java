package io.jmirai.examples;

import io.jmirai.Daemons;
import io.jmirai.MapOptions;
import io.jmirai.MiraiMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code daemons.map(...)}: one task per element, results in input order, a progress callback, extra arguments, and a
 * typed {@code values(...)} that throws at the first error.
 */
public final class MapWithProgress {
    private MapWithProgress() {}

    /**
     * Runs the example on two local daemons.
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
        List<Integer> items = IntStream.rangeClosed(1, 12).boxed().toList();
        try (Daemons daemons = Daemons.local(2)) {
            MiraiMap<Integer> squares = daemons.map(items, x -> {
                Thread.sleep(20); // some work
                return x * x;
            });
            // The listener runs on this (the collecting) thread: once with 0, then once per resolved element.
            List<Object> results = squares.collect(
                    MapOptions.defaults().progress((done, total) -> out.println("progress " + done + "/" + total)));
            out.println("squares " + results);

            List<Integer> scaled = daemons.<Integer, Integer>map(items, (x, extra) -> x * (int) extra[0], 10)
                    .values(Duration.ofSeconds(30));
            out.println("scaled " + scaled);
        }
    }
}
