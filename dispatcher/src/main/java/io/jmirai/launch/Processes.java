package io.jmirai.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Running the launch commands: bounded one-shot runs, and held processes whose daemons the host waits for. */
final class Processes {
    private static final int TAIL_CHARS = 8192;

    private Processes() {}

    /** What a one-shot command did. */
    record Result(int exitCode, String output) {}

    /** A started command that the host holds while its daemons run. */
    record Held(LaunchCommand command, LocalProcess process) {}

    /**
     * Runs {@code argv} to completion with stdout and stderr together, killing it after {@code timeout}.
     *
     * @throws LaunchException if it cannot start, times out, or the thread is interrupted
     */
    static Result run(LaunchCommand command, Map<String, String> env, Path dir, Duration timeout) {
        Path out = null;
        Process p = null;
        try {
            out = privateTempFile();
            ProcessBuilder pb = new ProcessBuilder(command.command())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new LaunchException("command did not finish within " + timeout, command, -1, tail(out), null);
            }
            return new Result(p.exitValue(), tail(out));
        } catch (IOException e) {
            throw new LaunchException("cannot run command: " + e.getMessage(), command, -1, "", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while running command", command, -1, "", e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            deleteQuietly(out);
        }
    }

    /**
     * Starts {@code command} with stdout and stderr going to a private file, writes {@code secret} and a newline to
     * its standard input and closes it.
     *
     * @throws LaunchException if it cannot start
     */
    static LocalProcess startHeld(LaunchCommand command, Map<String, String> env, String secret) {
        Path out = null;
        try {
            out = privateTempFile();
            ProcessBuilder pb = new ProcessBuilder(command.command())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            LocalProcess held = new LocalProcess(p, command.slots().get(0), out);
            try (OutputStream in = p.getOutputStream()) {
                in.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // It exited already (ssh refused, say): the wait that follows reports it with its output.
            }
            return held;
        } catch (IOException e) {
            deleteQuietly(out);
            throw new LaunchException("cannot run command: " + e.getMessage(), command, -1, "", e);
        }
    }

    /**
     * Waits until every slot of every held command has connected. On failure (a command exited first, the time ran
     * out, the host closed) kills the held commands whose daemons have not all connected and throws.
     *
     * @throws LaunchException naming the first command that failed, with its output
     */
    static void awaitConnected(List<Held> held, LaunchContext context, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<Void>> connected = new ArrayList<>();
        for (Held h : held) {
            CompletableFuture<?>[] slots = h.command().slots().stream()
                    .map(context.slotConnected()::apply)
                    .toArray(CompletableFuture[]::new);
            connected.add(CompletableFuture.allOf(slots));
        }
        LaunchException failure = null;
        for (int i = 0; i < held.size() && failure == null; i++) {
            Held h = held.get(i);
            CompletableFuture<Void> all = connected.get(i);
            Process p = h.process().process();
            try {
                CompletableFuture.anyOf(all, p.onExit())
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!all.isDone()) {
                    failure = new LaunchException(
                            "daemon command exited before its daemons connected",
                            h.command(),
                            p.exitValue(),
                            h.process().stderr(),
                            null);
                } else {
                    all.join();
                }
            } catch (TimeoutException e) {
                failure = new LaunchException(
                        "daemons did not connect within " + timeout,
                        h.command(),
                        -1,
                        h.process().stderr(),
                        e);
            } catch (ExecutionException | java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                failure = new LaunchException(
                        "launch ended before the daemons connected (" + cause.getMessage() + ")",
                        h.command(),
                        p.isAlive() ? -1 : p.exitValue(),
                        h.process().stderr(),
                        cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new LaunchException(
                        "interrupted while waiting for daemons to connect",
                        h.command(),
                        -1,
                        h.process().stderr(),
                        e);
            }
        }
        if (failure == null) {
            return;
        }
        for (int i = 0; i < held.size(); i++) {
            CompletableFuture<Void> all = connected.get(i);
            if (!all.isDone() || all.isCompletedExceptionally()) {
                LocalProcess lp = held.get(i).process();
                lp.process().destroyForcibly();
                lp.stop(Duration.ofSeconds(5));
            }
        }
        throw failure;
    }

    static Path privateTempFile() throws IOException {
        return Files.createTempFile(
                "jmirai-launch-",
                ".log",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static String tail(Path file) throws IOException {
        String all = Files.readString(file, StandardCharsets.UTF_8);
        return all.length() <= TAIL_CHARS ? all : all.substring(all.length() - TAIL_CHARS);
    }

    static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a private temporary file; the OS cleans it up
            }
        }
    }
}
