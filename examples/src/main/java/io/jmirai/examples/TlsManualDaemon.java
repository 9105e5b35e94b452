package io.jmirai.examples;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.launch.DaemonJar;
import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Zero-config TLS with a daemon started by hand: the host listens on {@code tls+tcp://} with a single-use certificate,
 * {@code launchRemote(1)} returns the command to run elsewhere (the certificate inline, the secret as a separate line
 * for standard input), and this example plays the remote machine by running that command as a separate process from
 * the daemon's executable jar ({@link DaemonJar#locate()}).
 */
public final class TlsManualDaemon {
    private TlsManualDaemon() {}

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
        Path daemonJar = DaemonJar.locate();
        // The daemon must load the class that defines the task (this one) and the jmirai classes it refers to.
        String classes = DaemonClasspath.forTasksOf(TlsManualDaemon.class);
        Process daemon = null;
        try {
            try (Daemons daemons =
                    Daemons.builder().url("tls+tcp://127.0.0.1:0").start()) {
                LaunchCommand c = daemons.launchRemote(
                                1,
                                LaunchConfig.manual()
                                        .jar(daemonJar.toString())
                                        .daemonOptions(DaemonOptions.defaults().classpath(classes)))
                        .get(0);
                out.println(c.instructions()); // what you would paste on the remote machine
                daemon = new ProcessBuilder(c.command())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                try (Writer stdin = new OutputStreamWriter(daemon.getOutputStream(), StandardCharsets.UTF_8)) {
                    stdin.write(c.secretLine() + "\n"); // the pasted secret line
                }
                long pid = daemons.mirai(() -> ProcessHandle.current().pid()).get(Duration.ofSeconds(30));
                out.println("over " + daemons.url().substring(0, daemons.url().indexOf(':'))
                        + ": the task ran in the hand-started daemon: " + (pid == daemon.pid()));
            }
            // The daemons are closed: the hand-started one exits by itself (--autoexit=now).
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                out.println("the daemon did not exit within 10 s");
            }
        } finally {
            if (daemon != null && daemon.isAlive()) {
                daemon.destroyForcibly();
            }
        }
    }
}
