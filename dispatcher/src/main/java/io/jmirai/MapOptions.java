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
    private static final MapOptions DEFAULTS = new MapOptions(false, null, false, false, 0);

    private final boolean progressBar;
    private final ProgressListener listener;
    private final boolean stopOnError;
    private final boolean flatten;
    private final int chunks;

    private MapOptions(
            boolean progressBar, ProgressListener listener, boolean stopOnError, boolean flatten, int chunks) {
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
        return new MapOptions(value, listener, stopOnError, flatten, chunks);
    }

    /**
     * @param value told the progress on the collecting thread (whether or not a bar is drawn)
     * @return a copy
     */
    public MapOptions progress(ProgressListener value) {
        return new MapOptions(progressBar, Objects.requireNonNull(value, "listener"), stopOnError, flatten, chunks);
    }

    /**
     * @param value stop at the first element that resolves to an error: cancel the others and throw a
     *     {@link MiraiMapException} naming its index
     * @return a copy
     */
    public MapOptions stopOnError(boolean value) {
        return new MapOptions(progressBar, listener, value, flatten, chunks);
    }

    /**
     * @param value flatten one level: an element whose value is a {@code Collection} or an array contributes its
     *     items instead of itself (other values, and error values, stay single)
     * @return a copy
     */
    public MapOptions flatten(boolean value) {
        return new MapOptions(progressBar, listener, stopOnError, value, chunks);
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
        return new MapOptions(progressBar, listener, stopOnError, flatten, value);
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
                + stopOnError + ", flatten=" + flatten + ", chunks=" + chunks + "}";
    }
}
