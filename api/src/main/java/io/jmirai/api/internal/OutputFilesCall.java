package io.jmirai.api.internal;

import io.jmirai.api.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A task run with output files, evaluated in a daemon: gives the task a fresh directory of its own ({@code
 * DaemonContext.taskDirectory()} while it runs), then collects the regular files there whose relative path matches the
 * glob into a {@link TaskOutput} with the task's value, and deletes the directory. At most {@link #MAX_BYTES} of
 * files per task (more fails the task with a clear message). A named class, so a daemon needs only the api classes
 * and the user's own. Immutable.
 *
 * @param <R> the task's value type
 */
public final class OutputFilesCall<R> implements Task<Object> {
    private static final long serialVersionUID = 1L;
    /** The most bytes of output files one task may return. */
    public static final long MAX_BYTES = 64L * 1024 * 1024;

    private static final ThreadLocal<Path> DIRECTORY = new ThreadLocal<>();

    private final Task<R> task;
    private final String glob;

    /**
     * @param task the task
     * @param glob which files to collect, as {@link java.nio.file.FileSystem#getPathMatcher} {@code glob:} syntax,
     *     matched against paths relative to the task's directory
     */
    public OutputFilesCall(Task<R> task, String glob) {
        this.task = Objects.requireNonNull(task, "task");
        this.glob = Objects.requireNonNull(glob, "glob");
    }

    /** @return the directory of the task running on this thread with output files, or null */
    public static Path directory() {
        return DIRECTORY.get();
    }

    @Override
    public Object call() throws Exception {
        Path dir = Files.createTempDirectory("jmirai-task-");
        DIRECTORY.set(dir);
        try {
            R value = task.call();
            return collect(dir, value);
        } finally {
            DIRECTORY.remove();
            deleteTree(dir);
        }
    }

    private TaskOutput collect(Path dir, Object value) throws IOException {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted().toList()) {
                Path rel = dir.relativize(p);
                if (!Files.isRegularFile(p) || !matcher.matches(rel)) {
                    continue;
                }
                total += Files.size(p);
                if (total > MAX_BYTES) {
                    throw new IllegalStateException(
                            "output files too large: more than " + MAX_BYTES + " bytes match glob=" + glob);
                }
                names.add(rel.toString().replace('\\', '/'));
                contents.add(Files.readAllBytes(p));
            }
        }
        return new TaskOutput(value, names, contents);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: what cannot be deleted now stays for the OS to clean
        }
    }
}
