package io.jmirai.api;

import io.jmirai.api.internal.TaskScope;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What a task can see of the daemon it runs in: a key-value context that outlives single tasks, and the task's own
 * random stream.
 *
 * <pre>{@code
 * daemons.everywhere(() -> DaemonContext.put("model", Model.load("/shared/model.bin")));  // once per daemon
 * Mirai<Double> m = daemons.mirai(() -> DaemonContext.<Model>get("model").score(x));    // any later task
 * double u = DaemonContext.random().nextDouble();  // reproducible when the daemons have a seed
 * }</pre>
 *
 * <p>Lifetime of the context: what an {@code everywhere} setup {@link #put puts} persists for every later task on
 * that daemon. What an ordinary task puts is task-scoped while the daemon cleans up after each task (the default,
 * {@code --cleanup}): it is gone when the task ends, and the context is back to what the setups left. With
 * {@code --no-cleanup} it persists too. The daemon's system properties, default locale and time zone follow the same
 * rule.
 *
 * <p>Outside a daemon (on the host, or in a unit test of a task) the methods work on this JVM's own context, and
 * {@link #random()} is an unseeded generator. Thread-safe: a task may read the context from threads it starts.
 */
public final class DaemonContext {
    private DaemonContext() {}

    /**
     * @param key the key
     * @return the value stored under {@code key}, or {@code null}
     * @param <T> the value's type (unchecked)
     */
    @SuppressWarnings("unchecked")
    public static <T> T get(String key) {
        return (T) TaskScope.values().get(Objects.requireNonNull(key, "key"));
    }

    /**
     * @param key the key
     * @param fallback what to return when nothing is stored under {@code key}
     * @return the value stored under {@code key}, or {@code fallback}
     * @param <T> the value's type (unchecked)
     */
    @SuppressWarnings("unchecked")
    public static <T> T getOrDefault(String key, T fallback) {
        return (T) TaskScope.values().getOrDefault(Objects.requireNonNull(key, "key"), fallback);
    }

    /**
     * Stores a value: persistent when called from an {@code everywhere} setup, task-scoped otherwise (see the class
     * comment).
     *
     * @param key the key
     * @param value the value, not {@code null} (use {@link #remove})
     * @return the value previously stored under {@code key}, or {@code null}
     */
    public static Object put(String key, Object value) {
        return TaskScope.values().put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /**
     * @param key the key
     * @return the value that was stored under {@code key}, or {@code null}
     */
    public static Object remove(String key) {
        return TaskScope.values().remove(Objects.requireNonNull(key, "key"));
    }

    /** @return whether a value is stored under {@code key} */
    public static boolean contains(String key) {
        return TaskScope.values().containsKey(Objects.requireNonNull(key, "key"));
    }

    /** @return a snapshot of the keys stored now */
    public static Set<String> keys() {
        return Set.copyOf(TaskScope.values().keySet());
    }

    /**
     * The running task's random stream. When the daemons have a seed, it is a pure function of the seed and the
     * task's submission index, so results do not depend on how many daemons there are or which one ran the task;
     * otherwise it is seeded from entropy. The same generator is returned for the whole task.
     *
     * @return the current task's generator (not thread-safe: use it from the task's thread)
     */
    public static RandomGenerator random() {
        return TaskScope.random();
    }

    /** @return the seed of the running task's stream, if the daemons have a seed */
    public static OptionalLong seed() {
        return TaskScope.seed();
    }

    /** @return the running task's submission index among its daemons' seeded tasks (1, 2, …), or 0 if unseeded */
    public static long taskIndex() {
        return TaskScope.taskIndex();
    }

    /**
     * @return the running task's own directory, where it writes the files a job collects ({@code
     *     MapOptions.outputFiles(glob)}): a fresh directory per task, deleted after the files are collected; for a task
     *     run without output files, the daemon's working directory
     */
    public static java.nio.file.Path taskDirectory() {
        java.nio.file.Path dir = io.jmirai.api.internal.OutputFilesCall.directory();
        return dir != null ? dir : java.nio.file.Path.of(System.getProperty("user.dir"));
    }

    /** @return whether the calling thread runs a task in a daemon right now */
    public static boolean inTask() {
        return TaskScope.inTask();
    }
}
