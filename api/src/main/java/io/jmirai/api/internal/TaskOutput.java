package io.jmirai.api.internal;

import java.util.List;
import java.util.Objects;

/**
 * What a task run with output files ({@link OutputFilesCall}) answers: its value, and the files it left in its own
 * directory that matched the glob, as relative names (with {@code /}) and contents. The client unwraps it: a job's
 * results show only the value. Immutable once made.
 */
public final class TaskOutput {
    private final Object value;
    private final List<String> names;
    private final List<byte[]> contents;

    /**
     * @param value the task's value
     * @param names the files' relative names
     * @param contents their bytes, in the same order
     */
    public TaskOutput(Object value, List<String> names, List<byte[]> contents) {
        this.value = value;
        this.names = List.copyOf(names);
        this.contents = List.copyOf(contents);
        if (this.names.size() != this.contents.size()) {
            throw new IllegalArgumentException("names and contents differ in size");
        }
    }

    /** @return the task's value */
    public Object value() {
        return value;
    }

    /** @return the files' relative names */
    public List<String> names() {
        return Objects.requireNonNullElse(names, List.of());
    }

    /** @return the files' bytes, in the order of {@link #names()} */
    public List<byte[]> contents() {
        return Objects.requireNonNullElse(contents, List.of());
    }
}
