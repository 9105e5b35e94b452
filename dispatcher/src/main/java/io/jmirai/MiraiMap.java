package io.jmirai;

import java.io.PrintStream;
import java.lang.reflect.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The tasks of one {@link Daemons#map map}, one per input element, in input order: like mirai's {@code mirai_map}.
 * Returned at once; {@link #collect} waits and returns the results in input order with errors in place, or, with
 * {@link MapOptions#stopOnError(boolean)}, stops at the first error.
 *
 * <pre>{@code
 * MiraiMap<Integer> squares = daemons.map(List.of(1, 2, 3), x -> x * x);
 * List<Object> all = squares.collect();                          // [1, 4, 9]; an ErrorValue where one failed
 * List<Integer> values = squares.values(Duration.ofMinutes(1));  // typed; throws MiraiMapException at an error
 * }</pre>
 *
 * This class is thread-safe.
 *
 * @param <R> the type of each element's result
 */
public final class MiraiMap<R> {
    private final List<Mirai<R>> mirais;
    private final List<?> keys;

    MiraiMap(List<Mirai<R>> mirais, List<?> keys) {
        this.mirais = List.copyOf(mirais);
        this.keys = keys == null ? null : new ArrayList<>(keys);
    }

    /** @return how many elements (tasks) the map has */
    public int size() {
        return mirais.size();
    }

    /** @return the tasks, in input order */
    public List<Mirai<R>> mirais() {
        return mirais;
    }

    /** @return whether any element is unresolved */
    public boolean isUnresolved() {
        for (Mirai<R> m : mirais) {
            if (m.isUnresolved()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Cancels every unresolved element ({@link Mirai#stop()}).
     *
     * @return how many were still unresolved
     */
    public int stop() {
        return Mirai.stop(mirais);
    }

    /**
     * Waits for every element.
     *
     * @return each element's value, or its {@link ErrorValue} in place, in input order
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public List<Object> collect() throws InterruptedException {
        return collect(MapOptions.defaults());
    }

    /**
     * Waits for every element, with progress, stop-at-first-error and flattening as {@code options} say.
     *
     * @return each element's value, or its {@link ErrorValue} in place, in input order (flattened if asked)
     * @throws MiraiMapException with {@code stopOnError}, at the first element that resolves to an error (the other
     *     unresolved elements are cancelled first)
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public List<Object> collect(MapOptions options) throws InterruptedException {
        try {
            return collect(options, -1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // no timeout was given
        }
    }

    /**
     * As {@link #collect(MapOptions)}, waiting at most {@code timeout} in all (giving up cancels nothing).
     *
     * @throws TimeoutException if some element is still unresolved after {@code timeout}
     */
    public List<Object> collect(MapOptions options, Duration timeout) throws InterruptedException, TimeoutException {
        return collect(options, timeout.toNanos());
    }

    /**
     * For a map over a {@code Map}: waits as {@link #collect(MapOptions, Duration)} does and returns the results under
     * their input keys, in input order.
     *
     * @param <K> the key type (unchecked)
     * @throws IllegalStateException if the map's input was not a {@code Map}, or {@code flatten} is asked
     */
    @SuppressWarnings("unchecked")
    public <K> Map<K, Object> collectMap(MapOptions options, Duration timeout)
            throws InterruptedException, TimeoutException {
        if (keys == null) {
            throw new IllegalStateException("collectMap needs a map over a Map: this one has no keys");
        }
        if (options.flatten()) {
            throw new IllegalStateException("flatten does not apply to collectMap: keys would be lost");
        }
        List<Object> values = collect(options, timeout.toNanos());
        Map<K, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            out.put((K) keys.get(i), values.get(i));
        }
        return out;
    }

    /** @return the input's keys, in order, when the map's input was a {@code Map}; otherwise {@code null} */
    public List<?> keys() {
        return keys == null ? null : List.copyOf(keys);
    }

    /**
     * Waits at most {@code timeout} for every element and returns the values, typed; stops at the first error.
     *
     * @return the values in input order
     * @throws MiraiMapException at the first element that resolves to an error (the others are cancelled)
     * @throws TimeoutException if some element is still unresolved after {@code timeout}
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    @SuppressWarnings("unchecked")
    public List<R> values(Duration timeout) throws InterruptedException, TimeoutException {
        return (List<R>) (List<?>) collect(MapOptions.defaults().stopOnError(true), timeout.toNanos());
    }

    private List<Object> collect(MapOptions options, long timeoutNanos) throws InterruptedException, TimeoutException {
        int n = mirais.size();
        LinkedBlockingQueue<Integer> resolved = new LinkedBlockingQueue<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            mirais.get(i).onResolved(() -> resolved.add(index));
        }
        Progress progress = new Progress(options, n);
        long deadline = System.nanoTime() + timeoutNanos;
        int done = 0;
        try {
            progress.update(0);
            while (done < n) {
                Integer i = timeoutNanos < 0
                        ? resolved.take()
                        : resolved.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (i == null) {
                    throw new TimeoutException("map still unresolved after " + Duration.ofNanos(timeoutNanos)
                            + ": resolved=" + done + ", total=" + n);
                }
                done++;
                progress.update(done);
                if (options.stopOnError()
                        && mirais.get(i).isError()
                        && mirais.get(i).data() instanceof ErrorValue e) {
                    Mirai.stop(mirais);
                    throw new MiraiMapException(i, keys == null ? null : keys.get(i), e);
                }
            }
        } finally {
            progress.finish();
        }
        List<Object> out = new ArrayList<>(n);
        for (Mirai<R> m : mirais) {
            Object v = m.data();
            if (options.flatten() && v instanceof Collection<?> c) {
                out.addAll(c);
            } else if (options.flatten() && v != null && v.getClass().isArray()) {
                for (int k = 0, len = Array.getLength(v); k < len; k++) {
                    out.add(Array.get(v, k));
                }
            } else {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        int unresolved = 0;
        for (Mirai<R> m : mirais) {
            unresolved += m.isUnresolved() ? 1 : 0;
        }
        return "MiraiMap{size=" + mirais.size() + ", unresolved=" + unresolved + "}";
    }

    /** Draws the bar (in a terminal) and tells the listener. Used by the collecting thread only. */
    private static final class Progress {
        private static final int WIDTH = 40;
        private final ProgressListener listener;
        private final PrintStream bar;
        private final int total;
        private int drawn = -1;

        Progress(MapOptions options, int total) {
            this.listener = options.listener();
            this.bar = options.progressBar() && stderrIsTerminal() ? System.err : null;
            this.total = total;
        }

        /**
         * Whether this process's stderr is a terminal: on Linux, where file descriptor 2 points; elsewhere,
         * {@code System.console()} (which asks about stdin and stdout) is the best the JDK offers.
         */
        static boolean stderrIsTerminal() {
            java.nio.file.Path fd2 = java.nio.file.Path.of("/proc/self/fd/2");
            try {
                String target = java.nio.file.Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
                return System.console() != null;
            }
        }

        void update(int resolved) {
            if (listener != null) {
                listener.progress(resolved, total);
            }
            if (bar != null) {
                int filled = total == 0 ? WIDTH : (int) ((long) resolved * WIDTH / total);
                if (filled != drawn || resolved == total) {
                    drawn = filled;
                    bar.print("\r[" + "=".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + resolved + "/" + total);
                    bar.flush();
                }
            }
        }

        void finish() {
            if (bar != null) {
                bar.println();
            }
        }
    }
}
