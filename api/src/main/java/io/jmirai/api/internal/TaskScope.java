package io.jmirai.api.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The daemon-side state behind {@link io.jmirai.api.DaemonContext}: the context map, the baseline that cleanup restores,
 * and the running task's random stream. Internal: the daemon calls {@link #enter}, {@link #exit},
 * {@link #commitBaseline} and {@link #restoreBaseline}; tasks use {@code DaemonContext}. Thread-safe.
 */
public final class TaskScope {
    private static final Map<String, Object> VALUES = new ConcurrentHashMap<>();
    private static volatile Map<String, Object> baseline = Map.of();
    private static volatile Current current;

    private record Current(Thread thread, RandomGenerator random, boolean seeded, long seed, long index) {}

    private TaskScope() {}

    /** @return the live context map */
    public static Map<String, Object> values() {
        return VALUES;
    }

    /**
     * Starts a task on the calling thread: gives it its random stream.
     *
     * @param envelope the task's envelope, or {@code null} for a bare task
     */
    public static void enter(TaskEnvelope envelope) {
        boolean seeded = envelope != null && envelope.seeded();
        RandomGenerator random =
                seeded ? new SplittableRandom(streamSeed(envelope.seed(), envelope.index())) : new SplittableRandom();
        current = new Current(
                Thread.currentThread(), random, seeded, seeded ? envelope.seed() : 0, seeded ? envelope.index() : 0);
    }

    /** Ends the running task. */
    public static void exit() {
        current = null;
    }

    /** Makes the context as it is now the baseline that {@link #restoreBaseline()} returns to (after a setup). */
    public static void commitBaseline() {
        baseline = Map.copyOf(new HashMap<>(VALUES));
    }

    /** Puts the context back to the baseline (cleanup after an ordinary task). */
    public static void restoreBaseline() {
        Map<String, Object> b = baseline;
        if (unchanged(b)) {
            return; // the common case: the task stored nothing, and checking allocates nothing
        }
        VALUES.keySet().retainAll(b.keySet());
        VALUES.putAll(b);
    }

    private static boolean unchanged(Map<String, Object> b) {
        if (VALUES.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, Object> e : b.entrySet()) {
            if (VALUES.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Removes everything, the baseline included (for tests). */
    public static void reset() {
        VALUES.clear();
        baseline = Map.of();
        current = null;
    }

    /** @return the running task's generator, or a shared unseeded one outside a task */
    public static RandomGenerator random() {
        Current c = current;
        return c != null ? c.random() : Unseeded.INSTANCE;
    }

    /** @return the running task's seed, if seeded */
    public static OptionalLong seed() {
        Current c = current;
        return c != null && c.seeded() ? OptionalLong.of(c.seed()) : OptionalLong.empty();
    }

    /** @return the running task's seeded index, or 0 */
    public static long taskIndex() {
        Current c = current;
        return c != null && c.seeded() ? c.index() : 0;
    }

    /** @return whether the calling thread runs a task */
    public static boolean inTask() {
        Current c = current;
        return c != null && c.thread() == Thread.currentThread();
    }

    /**
     * The seed of task {@code index}'s stream: both inputs go through Stafford's variant 13 of the MurmurHash3 mixer,
     * so neighbouring indices give unrelated seeds (a bare {@code seed + index} would give {@link SplittableRandom}
     * streams that are shifted copies of each other).
     */
    public static long streamSeed(long seed, long index) {
        long z = mix(seed ^ 0x632BE59BD9B4E019L);
        return mix(z + mix(index * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** An unseeded generator for use outside a task. */
    private static final class Unseeded {
        static final RandomGenerator INSTANCE = new java.util.Random();
    }
}
