package io.jmirai.daemon;

import io.jmirai.transport.protocol.ClassFrames.ClassAnswer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's side of remote class loading: sends a CLASS_REQUEST for a class name through the {@link Connector} and
 * waits, with a bound ({@link #WAIT}), for the CLASS_BYTES with the same request id. Requests are correlated by a
 * counter; an answer for a request no longer waited for (it timed out) is dropped. When the connection ends, every
 * request still waiting fails at once.
 *
 * <p>Threading: {@link #fetch} blocks the calling thread (a task's worker, or a thread the task started) and is
 * refused on the daemon's event loop, which must never block; {@link #answered} and {@link #connectionEnded} run on
 * the event loop. The table of waiting requests is a concurrent map, bounded by {@link #MAX_WAITING}.
 */
final class ClassFetcher {
    /** How long a thread waits for the host's answer. */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Requests waiting at once; a thread beyond that fails at once (a task that loads classes from many threads). */
    static final int MAX_WAITING = 64;

    /** Sends a request on the event loop; returns null once sent, or why it could not be. */
    interface Sender {
        String send(long requestId, long taskId, String name);
    }

    private final java.util.concurrent.Executor loop;
    private final java.util.function.BooleanSupplier onLoop;
    private final Sender sender;
    private final Duration wait;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<ClassAnswer>> waiting = new ConcurrentHashMap<>();
    /** The task the worker runs, sent with each request (the host serves from that task's class loader). */
    private volatile long currentTask;

    ClassFetcher(io.netty.channel.EventLoop loop, Sender sender) {
        this(loop, loop::inEventLoop, sender, WAIT);
    }

    ClassFetcher(
            java.util.concurrent.Executor loop,
            java.util.function.BooleanSupplier onLoop,
            Sender sender,
            Duration wait) {
        this.loop = loop;
        this.onLoop = onLoop;
        this.sender = sender;
        this.wait = wait;
    }

    /** The worker starts (or, with 0, has finished) task {@code id}. */
    void running(long id) {
        currentTask = id;
    }

    /**
     * Asks the host for class {@code name} and waits for the answer.
     *
     * @return the host's answer: the class file, or why the host does not serve it
     * @throws ClassNotServedException if no answer can come (no connection, not negotiated, timeout, interrupt)
     */
    ClassAnswer fetch(String name) {
        if (onLoop.getAsBoolean()) {
            throw new ClassNotServedException("classes are never fetched on the daemon's event loop: name=" + name);
        }
        if (waiting.size() >= MAX_WAITING) {
            throw new ClassNotServedException(
                    "too many class requests waiting at once: max=" + MAX_WAITING + ", name=" + name);
        }
        long id = ids.incrementAndGet();
        long task = currentTask;
        CompletableFuture<ClassAnswer> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        try {
            loop.execute(() -> {
                String why = sender.send(id, task, name);
                if (why != null) {
                    answer.completeExceptionally(new ClassNotServedException(why));
                }
            });
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClassNotServedException("interrupted while waiting for the host to send class " + name);
        } catch (TimeoutException e) {
            throw new ClassNotServedException(
                    "the host did not answer within " + wait.toMillis() + " ms for class " + name);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClassNotServedException c) {
                throw new ClassNotServedException(c.getMessage());
            }
            throw new ClassNotServedException("class request failed: name=" + name + ": " + e.getCause());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new ClassNotServedException("the daemon is shutting down: name=" + name);
        } finally {
            waiting.remove(id);
        }
    }

    /** The host answered request {@code id}; an answer nobody waits for any more is dropped. On the event loop. */
    void answered(long id, ClassAnswer answer) {
        CompletableFuture<ClassAnswer> f = waiting.get(id);
        if (f != null) {
            f.complete(answer);
        }
    }

    /** The connection ended: every request still waiting fails now rather than at its timeout. On the event loop. */
    void connectionEnded() {
        for (CompletableFuture<ClassAnswer> f : waiting.values()) {
            f.completeExceptionally(new ClassNotServedException("the connection to the host ended"));
        }
    }

    /** @return how many requests wait (for tests) */
    int waitingCount() {
        return waiting.size();
    }

    /**
     * Why a class could not be fetched from the host: the cause of the {@link ClassNotFoundException} the
     * {@link RemoteClassLoader} throws, so that the task's error can say it ({@link MissingClass}).
     */
    static final class ClassNotServedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClassNotServedException(String message) {
            super(message, null, false, false);
        }
    }
}
