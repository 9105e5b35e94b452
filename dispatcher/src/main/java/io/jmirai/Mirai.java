package io.jmirai;

import io.jmirai.api.Task;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.dispatcher.TaskRecord;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The future of a task running in a daemon: returned at once by {@link Daemons#mirai(Task)}, resolved when the task's
 * value, error, timeout or cancellation comes back.
 *
 * <pre>{@code
 * Mirai<Double> m = daemons.mirai(() -> Math.sqrt(2));
 * m.isUnresolved();                        // true while it runs
 * double v = m.get(Duration.ofSeconds(10)); // the value, or a MiraiException carrying the ErrorValue
 * Object d = m.data();                     // never blocks: the value, an ErrorValue, or Mirai.UNRESOLVED
 * }</pre>
 *
 * <p>Steering: {@link #stop()} cancels the task (code {@value ErrorValue#CANCELED}); {@link #race} and
 * {@link #collect} wait for many. The static {@link #daemons(int)} and {@link #mirai(Task)} manage compute profiles:
 * named, independent {@link Daemons} (a default one and, say, {@code "cpu"} and {@code "gpu"}), like mirai's
 * {@code .compute}.
 *
 * <p>The value is decoded on the first thread that asks for it ({@link #get}, {@link #data}), never on a network
 * thread; {@link #toCompletableFuture()} decodes on the common fork-join pool. This class is thread-safe.
 *
 * <p>The file is over 400 lines because it holds mirai's whole future vocabulary as public API ({@code get},
 * {@code data}, {@code stop}, {@code race}, {@code collect} and the static {@code mirai}/{@code daemons} conveniences
 * with their {@code Duration} overloads); most of it is Javadoc.
 *
 * @param <T> the type of the task's value
 */
public final class Mirai<T> {
    /** What {@link #data()} returns while the task is unresolved. */
    public static final Object UNRESOLVED = new Object() {
        @Override
        public String toString() {
            return "unresolved";
        }
    };

    private final long id;
    private final KryoCodec codec;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private boolean materialized;
    private boolean failed; // the outcome is an error; set with data, from the frame's status, never from the value
    private Object data;
    private volatile Dispatcher dispatcher;
    private volatile TaskRecord record;

    Mirai(long id, KryoCodec codec) {
        this.id = id;
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Runs a task on the default profile's daemons ({@link #daemons(int)}), or, when none are set, in a new daemon JVM
     * of its own (which exits afterwards).
     *
     * @param task the task
     * @return its future, at once
     */
    public static <T> Mirai<T> mirai(Task<T> task) {
        Daemons d = Profiles.find(Profiles.DEFAULT);
        return d != null ? d.mirai(task) : Daemons.ephemeral(task);
    }

    /**
     * Runs a task on a compute profile's daemons.
     *
     * @param profile the profile's name, as given to {@link #daemons(String, int)}
     * @param task the task
     * @return its future, at once
     * @throws IllegalStateException if the profile has no daemons
     */
    public static <T> Mirai<T> mirai(String profile, Task<T> task) {
        return daemons(profile).mirai(task);
    }

    /**
     * Sets the default profile to {@code n} local daemons (closing the previous ones), like mirai's
     * {@code daemons(n)}; {@code n = 0} just closes them.
     *
     * @return the new daemons, or {@code null} when {@code n} is 0
     * @throws DaemonStartException if a daemon fails to start
     */
    public static Daemons daemons(int n) {
        return daemons(Profiles.DEFAULT, n);
    }

    /**
     * Sets a named compute profile to {@code n} local daemons (closing the profile's previous ones); {@code n = 0}
     * just closes them. Profiles are independent: each has its own dispatcher, queue and daemons.
     *
     * @return the new daemons, or {@code null} when {@code n} is 0
     */
    public static Daemons daemons(String profile, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n : " + n + " (expected: >= 0)");
        }
        if (n == 0) {
            Profiles.close(profile);
            return null;
        }
        return daemons(profile, Daemons.builder().local(n));
    }

    /**
     * Sets a named compute profile to the daemons {@code builder} starts (closing the profile's previous ones).
     *
     * @return the new daemons
     */
    public static Daemons daemons(String profile, Daemons.Builder builder) {
        return Profiles.replace(profile, builder);
    }

    /**
     * @param profile a profile's name ({@code "default"} for the default profile)
     * @return the profile's daemons
     * @throws IllegalStateException if the profile has none
     */
    public static Daemons daemons(String profile) {
        Daemons d = Profiles.find(profile);
        if (d == null) {
            throw new IllegalStateException("no daemons for compute profile: profile=" + profile
                    + " (set them with Mirai.daemons(\"" + profile + "\", n))");
        }
        return d;
    }

    /**
     * Cancels the task: if it is still queued it is removed; if it runs, its thread in the daemon is interrupted. It
     * resolves to {@value ErrorValue#CANCELED} at once. A task that has already resolved is left alone. Waits (bounded)
     * for the dispatcher's answer.
     *
     * @return whether the task was still unresolved
     */
    public boolean stop() {
        Dispatcher d = dispatcher;
        TaskRecord r = record;
        if (!isUnresolved() || d == null || r == null) {
            return false;
        }
        return d.cancel(List.of(r)) == 1;
    }

    /**
     * Cancels many tasks, as {@link #stop()} does each, with one round trip per {@link Daemons}.
     *
     * @return how many were still unresolved
     */
    public static int stop(Collection<? extends Mirai<?>> mirais) {
        Map<Dispatcher, List<TaskRecord>> byDispatcher = new IdentityHashMap<>();
        for (Mirai<?> m : mirais) {
            Dispatcher d = m.dispatcher;
            TaskRecord r = m.record;
            if (m.isUnresolved() && d != null && r != null) {
                byDispatcher.computeIfAbsent(d, k -> new ArrayList<>()).add(r);
            }
        }
        int n = 0;
        for (Map.Entry<Dispatcher, List<TaskRecord>> e : byDispatcher.entrySet()) {
            n += e.getKey().cancel(e.getValue());
        }
        return n;
    }

    /**
     * Waits for the first of {@code mirais} to resolve, in any way.
     *
     * @return its index in the list
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public static int race(List<? extends Mirai<?>> mirais) throws InterruptedException {
        try {
            return race(mirais, -1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // no timeout was given
        }
    }

    /**
     * Waits at most {@code timeout} for the first of {@code mirais} to resolve, in any way.
     *
     * @return its index in the list
     * @throws TimeoutException if none resolved in time
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public static int race(List<? extends Mirai<?>> mirais, Duration timeout)
            throws InterruptedException, TimeoutException {
        return race(mirais, timeout.toNanos());
    }

    private static int race(List<? extends Mirai<?>> mirais, long timeoutNanos)
            throws InterruptedException, TimeoutException {
        if (mirais.isEmpty()) {
            throw new IllegalArgumentException("mirais is empty (expected: at least one)");
        }
        AtomicInteger winner = new AtomicInteger(-1);
        CompletableFuture<Integer> first = new CompletableFuture<>();
        for (int i = 0; i < mirais.size(); i++) {
            int index = i;
            Mirai<?> m = mirais.get(i);
            m.outcome.whenComplete((o, e) -> {
                if (winner.compareAndSet(-1, index)) {
                    first.complete(index);
                }
            });
            if (first.isDone()) {
                break;
            }
        }
        try {
            return timeoutNanos < 0 ? first.get() : first.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new TimeoutException(
                    "no task resolved within " + Duration.ofNanos(timeoutNanos) + ": tasks=" + mirais.size());
        }
    }

    /**
     * Waits for every task and returns what each resolved to, in order: its value, or its {@link ErrorValue} in place.
     *
     * @return the values and error values
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public static List<Object> collect(List<? extends Mirai<?>> mirais) throws InterruptedException {
        List<Object> out = new ArrayList<>(mirais.size());
        for (Mirai<?> m : mirais) {
            try {
                m.outcome.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            out.add(m.materialize());
        }
        return out;
    }

    /**
     * Waits at most {@code timeout} in all for every task, as {@link #collect(List)} does.
     *
     * @throws TimeoutException if some task is still unresolved after {@code timeout}
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public static List<Object> collect(List<? extends Mirai<?>> mirais, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Object> out = new ArrayList<>(mirais.size());
        for (int i = 0; i < mirais.size(); i++) {
            Mirai<?> m = mirais.get(i);
            try {
                m.outcome.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (TimeoutException e) {
                throw new TimeoutException("tasks still unresolved after " + timeout + ": first index=" + i);
            }
            out.add(m.materialize());
        }
        return out;
    }

    void bind(Dispatcher d, TaskRecord r) {
        this.dispatcher = d;
        this.record = r;
    }

    /** Runs {@code action} once the task resolves (at once if it has), on the resolving thread. */
    void onResolved(Runnable action) {
        outcome.whenComplete((o, e) -> action.run());
    }

    /** @return the task's id, unique within its {@link Daemons} */
    public long id() {
        return id;
    }

    void resolve(Outcome o) {
        outcome.complete(o);
    }

    /** @return true while the task has not resolved */
    public boolean isUnresolved() {
        return !outcome.isDone();
    }

    /**
     * Never blocks.
     *
     * @return the value, an {@link ErrorValue} (a {@link MiraiError} if the task threw), or {@link #UNRESOLVED}; a task
     *     may return an {@code ErrorValue} as its value, so ask {@link #isError()} to tell the two apart
     */
    public Object data() {
        if (!outcome.isDone()) {
            return UNRESOLVED;
        }
        return materialize();
    }

    /**
     * Waits for the task without a bound, honouring interruption.
     *
     * @return the value
     * @throws MiraiException if the task resolved to an {@link ErrorValue}
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public T get() throws InterruptedException {
        try {
            outcome.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return value();
    }

    /**
     * Waits for the task at most {@code timeout}, honouring interruption. Giving up does not cancel the task.
     *
     * @return the value
     * @throws MiraiException if the task resolved to an {@link ErrorValue}
     * @throws TimeoutException if the task is still unresolved after {@code timeout}
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public T get(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new TimeoutException("task still unresolved after " + timeout + ": id=" + id);
        }
        return value();
    }

    /**
     * @return a future that completes with the value, or exceptionally with a {@link MiraiException}; completing it
     *     yourself does not affect the task
     */
    public CompletableFuture<T> toCompletableFuture() {
        return outcome.thenApplyAsync(o -> value(), ForkJoinPool.commonPool());
    }

    @SuppressWarnings("unchecked")
    private T value() {
        Object d = materialize();
        if (isError()) {
            throw new MiraiException((ErrorValue) d);
        }
        return (T) d;
    }

    /** Waits until the task resolves, without decoding its value. */
    void awaitResolved() throws InterruptedException {
        try {
            outcome.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The resolved task's value or {@link ErrorValue}, decoded without keeping the decoded object (for a streaming
     * reduce, which must not hold every value); a value already decoded is returned as it is. The task must be
     * resolved.
     */
    synchronized Object decodeUncached() {
        return materialized ? data : decode(outcome.join());
    }

    /**
     * Whether the task resolved to an error rather than a value. The status comes from how the task ended (the RESULT
     * frame's flags, a timeout, a cancellation, a lost daemon), never from the value: a task may return an {@link
     * ErrorValue} as its value, and then {@link #get()} returns it and this is false. Never blocks.
     *
     * @return true if resolved to an error; false if resolved to a value or still unresolved
     */
    public boolean isError() {
        if (!outcome.isDone()) {
            return false;
        }
        materialize();
        synchronized (this) {
            return failed;
        }
    }

    private synchronized Object materialize() {
        if (!materialized) {
            Outcome o = outcome.join();
            Object d = decode(o);
            // only a RESULT without status flags that decoded is a value; everything else is an error
            failed = !(o instanceof Outcome.Result r
                    && (r.flags() & ~FrameType.Flags.RESULT_LAST) == 0
                    && !(d instanceof DecodeFailure));
            data = d instanceof DecodeFailure f ? f.error() : d;
            materialized = true;
        }
        return data;
    }

    /** A value that could not be decoded on the host (kept apart from a task's own ErrorValue values). */
    private record DecodeFailure(MiraiError error) {}

    private Object decode(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return new ErrorValue(f.code(), f.message());
        }
        if (o instanceof Outcome.Lost l) {
            return new ErrorValue(ErrorValue.CONNECTION_RESET, l.message());
        }
        if (o instanceof Outcome.RetriesExhausted x) {
            return new RetriesExhausted(x.losses(), x.message());
        }
        Outcome.Result r = (Outcome.Result) o;
        if ((r.flags() & FrameType.Flags.RESULT_LAST) != 0) { // about the daemon, not the task
            r = new Outcome.Result(r.flags() & ~FrameType.Flags.RESULT_LAST, r.bytes());
        }
        if ((r.flags() & FrameType.Flags.RESULT_INTERRUPTED) != 0) {
            return new MiraiInterrupt();
        }
        if ((r.flags() & FrameType.Flags.RESULT_CANCELLED) != 0) {
            return new ErrorValue(ErrorValue.CANCELED, "canceled");
        }
        if ((r.flags() & FrameType.Flags.RESULT_ERROR) != 0) {
            try {
                return new MiraiError(RemoteError.decode(Unpooled.wrappedBuffer(r.bytes())));
            } catch (RuntimeException e) {
                return new MiraiError(RemoteError.of(new IllegalStateException("malformed error from daemon", e)));
            }
        }
        try {
            return codec.decode(r.bytes());
        } catch (Throwable t) { // Kryo can fail in many ways, even with Errors; the value is lost, not the host
            return new DecodeFailure(new MiraiError(RemoteError.of(
                    new IllegalStateException("the task's value could not be decoded on the host: " + t, t))));
        }
    }

    @Override
    public String toString() {
        return "Mirai{id=" + id + (outcome.isDone() ? ", resolved}" : ", unresolved}");
    }
}
