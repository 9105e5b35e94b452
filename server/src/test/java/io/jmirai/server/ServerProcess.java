package io.jmirai.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started by a test ({@code java -jar target/jmirai-server.jar ...} or a daemon), with its merged output read
 * line by line on a thread of its own so the test can wait for a line. Used by one test thread.
 */
final class ServerProcess implements AutoCloseable {
    static final Path SERVER_JAR = Path.of("target", "jmirai-server.jar");

    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        lines.add("(output closed: " + e + ")");
                    }
                },
                "test-output-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs the server jar with {@code args}. */
    static ServerProcess server(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-jar", SERVER_JAR.toString()));
        command.addAll(List.of(args));
        return new ServerProcess(
                new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs a daemon from this test's classpath with {@code args}. */
    static ServerProcess daemon(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), "io.jmirai.daemon.DaemonMain"));
        command.addAll(List.of(args));
        return new ServerProcess(
                new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs {@code mainClass} from this test's classpath with {@code args} (a client in a JVM of its own). */
    static ServerProcess java(String mainClass, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ServerProcess(
                new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * Waits for a line matching {@code p}.
     *
     * @throws AssertionError with everything printed so far if none comes within {@code timeout}
     */
    String await(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no matching line within " + timeout + "; printed: " + seen);
            }
            seen.add(line);
            if (p.test(line)) {
                return line;
            }
        }
    }

    /** @return every line {@link #await} has read so far */
    String printed() {
        return String.join("\n", seen);
    }

    /** Waits for the process to exit, at most {@code timeout}; returns its exit code. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. Waits for the exit. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
