package io.jmirai;

import io.jmirai.dispatcher.Outcome;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * <p>The value is decoded on the first thread that asks for it ({@link #get}, {@link #data}), never on a network
 * thread; {@link #toCompletableFuture()} decodes on the common fork-join pool. This class is thread-safe.
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
    private Object data;

    Mirai(long id, KryoCodec codec) {
        this.id = id;
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Runs one task in a new daemon JVM of its own (which exits afterwards) when no default daemons are set.
     *
     * @param task the task
     * @return its future, at once
     */
    public static <T> Mirai<T> mirai(Task<T> task) {
        return Daemons.ephemeral(task);
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
     * @return the value, an {@link ErrorValue} (a {@link MiraiError} if the task threw), or {@link #UNRESOLVED}
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
        if (d instanceof ErrorValue e) {
            throw new MiraiException(e);
        }
        return (T) d;
    }

    private synchronized Object materialize() {
        if (!materialized) {
            data = decode(outcome.join());
            materialized = true;
        }
        return data;
    }

    private Object decode(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return new ErrorValue(f.code(), f.message());
        }
        Outcome.Result r = (Outcome.Result) o;
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
            return new MiraiError(RemoteError.of(
                    new IllegalStateException("the task's value could not be decoded on the host: " + t, t)));
        }
    }

    @Override
    public String toString() {
        return "Mirai{id=" + id + (outcome.isDone() ? ", resolved}" : ", unresolved}");
    }
}
