package io.jmirai;

/** Told how far a map has got while it is collected ({@link MapOptions#progress(ProgressListener)}). */
@FunctionalInterface
public interface ProgressListener {
    /**
     * Called on the collecting thread: once with 0 before waiting, then each time an element resolves.
     *
     * @param resolved elements resolved so far
     * @param total elements in the map
     */
    void progress(int resolved, int total);
}
