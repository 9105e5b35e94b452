package io.jmirai.examples;

import io.jmirai.Daemons;
import io.jmirai.Mirai;
import io.jmirai.launch.LocalLauncher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Compute profiles, like mirai's {@code .compute}: named, independent sets of daemons behind the static
 * conveniences, here a default profile of two daemons and a "big" profile of one daemon with more heap.
 */
public final class ComputeProfiles {
    private ComputeProfiles() {}

    /**
     * Runs the example.
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
        try {
            Mirai.daemons(2); // the default profile: 2 local daemons
            Mirai.daemons("big", Daemons.builder().local(1).launcher(bigHeap()));
            long defaultPid = Mirai.mirai(() -> ProcessHandle.current().pid()).get(wait);
            long bigHeap =
                    Mirai.mirai("big", () -> Runtime.getRuntime().maxMemory()).get(wait);
            out.println("default profile daemons: "
                    + Mirai.daemons("default").status().connections() + ", a task ran in pid " + defaultPid);
            out.println("big profile max heap >= 256 MiB: " + (bigHeap >= 256L << 20));
        } finally {
            Mirai.daemons(0); // closes the default profile
            Mirai.daemons("big", 0);
        }
    }

    /** The "big" profile's launcher: local daemons with {@code -Xmx512m}. */
    private static LocalLauncher bigHeap() {
        return new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"),
                List.of("-Xmx512m"));
    }
}
