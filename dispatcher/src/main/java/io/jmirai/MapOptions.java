package io.jmirai;

import java.util.Objects;

/**
 * How a {@link MiraiMap} is collected, like the options of mirai's {@code x[.progress, .stop, .flat]}. Immutable:
 * each method returns a copy. Thread-safe.
 *
 * <pre>{@code
 * List<Object> out = daemons.map(files, f -> parse(f)).collect(MapOptions.defaults().progress(true).stopOnError(true));
 * }</pre>
 */
public final class MapOptions {
    private static final MapOptions DEFAULTS = new MapOptions(false, null, false, false, 0, null);

    private final boolean progressBar;
    private final ProgressListener listener;
    private final boolean stopOnError;
    private final boolean flatten;
    private final int chunks;
    private final String outputFiles;

    private MapOptions(
            boolean progressBar,
            ProgressListener listener,
            boolean stopOnError,
            boolean flatten,
            int chunks,
            String outputFiles) {
        this.outputFiles = outputFiles;
        this.progressBar = progressBar;
        this.listener = listener;
        this.stopOnError = stopOnError;
        this.flatten = flatten;
        this.chunks = chunks;
    }

    /** @return no progress, errors in place, no flattening */
    public static MapOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param value draw a progress bar on stderr while collecting, when this JVM runs in a terminal (otherwise
     *     nothing is drawn: use {@link #progress(ProgressListener)})
     * @return a copy
     */
    public MapOptions progress(boolean value) {
        return new MapOptions(value, listener, stopOnError, flatten, chunks, outputFiles);
    }

    /**
     * @param value told the progress on the collecting thread (whether or not a bar is drawn)
     * @return a copy
     */
    public MapOptions progress(ProgressListener value) {
        return new MapOptions(
                progressBar, Objects.requireNonNull(value, "listener"), stopOnError, flatten, chunks, outputFiles);
    }

    /**
     * @param value stop at the first element that resolves to an error: cancel the others and throw a
     *     {@link MiraiMapException} naming its index
     * @return a copy
     */
    public MapOptions stopOnError(boolean value) {
        return new MapOptions(progressBar, listener, value, flatten, chunks, outputFiles);
    }

    /**
     * @param value flatten one level: an element whose value is a {@code Collection} or an array contributes its
     *     items instead of itself (other values, and error values, stay single)
     * @return a copy
     */
    public MapOptions flatten(boolean value) {
        return new MapOptions(progressBar, listener, stopOnError, value, chunks, outputFiles);
    }

    /**
     * @param value for {@link Daemons#mapReduce}: how many chunks (tasks) to split the items into, at most one per
     *     item; 0, the default, for one per daemon running when the call is made (at least 1)
     * @return a copy
     */
    public MapOptions chunks(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("chunks : " + value + " (expected: >= 0)");
        }
        return new MapOptions(progressBar, listener, stopOnError, flatten, value, outputFiles);
    }

    /**
     * @param glob for {@link Daemons#submitJob}: after each task, the files matching {@code glob} (as {@code
     *     FileSystem.getPathMatcher("glob:" + glob)}, relative to the task's own directory, {@code
     *     DaemonContext.taskDirectory()}) are kept with its result, for {@link Job#outputFiles}; e.g. {@code "*.csv"}
     *     or {@code "**}{@code /*"} for all
     * @return a copy
     */
    public MapOptions outputFiles(String glob) {
        Objects.requireNonNull(glob, "glob");
        java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob); // a bad glob fails here, not on a daemon
        return new MapOptions(progressBar, listener, stopOnError, flatten, chunks, glob);
    }

    /** @return the output-files glob, or null */
    String outputFiles() {
        return outputFiles;
    }

    int chunks() {
        return chunks;
    }

    boolean progressBar() {
        return progressBar;
    }

    ProgressListener listener() {
        return listener;
    }

    boolean stopOnError() {
        return stopOnError;
    }

    boolean flatten() {
        return flatten;
    }

    @Override
    public String toString() {
        return "MapOptions{progress=" + progressBar + ", listener=" + (listener != null) + ", stopOnError="
                + stopOnError + ", flatten=" + flatten + ", chunks=" + chunks + ", outputFiles=" + outputFiles + "}";
    }
}
