package com.example;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A user's first jmirai program, built by scripts/fresh-project.sh against the installed artifacts only: tasks on two
 * local daemons, then on a daemon started by hand from the Maven-resolved daemon jar (target/jmirai-daemon.jar).
 */
public final class App {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A user class the hand-started daemon can load only through --classpath. */
    public record Greeting(String from, long pid) implements java.io.Serializable {}

    public static void main(String[] args) throws Exception {
        Path daemonJar = Path.of(args[0]).toAbsolutePath();
        Path classes = Path.of(args[1]).toAbsolutePath();
        try (Daemons daemons = Daemons.local(2)) {
            int n = 2;
            double root = daemons.mirai(() -> Math.sqrt(n)).get(WAIT);
            System.out.printf("local daemons: sqrt(2) = %.4f%n", root);
        }
        try (Daemons daemons = Daemons.builder().url("tcp://127.0.0.1:0").start()) {
            LaunchCommand c = daemons.launchRemote(
                            1,
                            LaunchConfig.manual()
                                    .jar(daemonJar.toString())
                                    .daemonOptions(DaemonOptions.defaults().classpath(classes.toString())))
                    .get(0);
            System.out.println(c.instructions());
            Process daemon = new ProcessBuilder(c.command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                try (Writer w = new java.io.OutputStreamWriter(daemon.getOutputStream(), StandardCharsets.UTF_8)) {
                    w.write(c.secretLine() + "\n");
                }
                Greeting g = daemons.mirai(() -> new Greeting("hand-started daemon", ProcessHandle.current().pid()))
                        .get(WAIT);
                if (g.pid() != daemon.pid()) {
                    throw new AssertionError("the task ran in pid " + g.pid() + ", not the daemon's " + daemon.pid());
                }
                System.out.println("hand-started daemon: " + g);
            } finally {
                daemons.close();
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            }
        }
        System.out.println("fresh project: OK");
    }
}
