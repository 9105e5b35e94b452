package io.jmirai.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar jmirai-server.jar --url URL --store PATH --credentials PATH [--local N --classpath CP]}: runs a
 * {@link JMiraiServer} until the process is stopped (SIGTERM or Ctrl-C close it cleanly; after {@code kill -9} a
 * restart on the same store resumes it). Runs on the main thread, which waits for the shutdown hook.
 */
@Command(
        name = "jmirai-server",
        mixinStandardHelpOptions = true,
        version = "jmirai server 0.1.0",
        description = {
            "Runs a jmirai server: a dispatcher that daemons dial, with a durable job store.",
            "Its jobs from a shell: jmirai-server jobs list|status|fetch|delete --credentials FILE (jobs --help)."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped", "1:could not start (message on stderr)", "2:bad arguments"})
public final class ServerMain implements Callable<Integer> {
    @Option(
            names = "--url",
            required = true,
            paramLabel = "URL",
            description = "where daemons dial, e.g. tcp://0.0.0.0:5555 or tls+tcp://host:0 (port 0: a free port, the"
                    + " same one again after a restart on the same store)")
    private String url;

    @Option(names = "--store", required = true, paramLabel = "PATH", description = "the job store's file")
    private Path store;

    @Option(
            names = "--credentials",
            required = true,
            paramLabel = "PATH",
            description = "where to write the URL, secret and certificate for clients and daemons (mode 0600)")
    private Path credentials;

    @Option(names = "--local", paramLabel = "N", defaultValue = "0", description = "local daemons to keep")
    private int local;

    @Option(names = "--classpath", paramLabel = "CP", description = "the tasks' classpath for the local daemons")
    private String classpath;

    private final PrintStream out;

    ServerMain(PrintStream out) {
        this.out = out;
    }

    /** Runs the server, or a {@code jobs} command ({@link JobsCommand}), and exits with its code. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("jobs")) {
            System.exit(JobsCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(new CommandLine(new ServerMain(System.out)).execute(args));
    }

    @Override
    public Integer call() {
        JMiraiServer server;
        try {
            server = JMiraiServer.start(url, store, credentials, local, classpath, out);
        } catch (RuntimeException e) {
            System.err.println("jmirai-server: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "jmirai-server-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        server.shutdownRequested().thenRun(() -> {
            out.println("shutdown requested by a client");
            out.flush();
            server.close();
            stopped.countDown();
        });
        out.println("credentials written to " + credentials.toAbsolutePath());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
