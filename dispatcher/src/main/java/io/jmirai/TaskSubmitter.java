package io.jmirai;

import io.jmirai.api.Task;
import io.jmirai.api.internal.TaskEnvelope;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.QueueGate;
import io.jmirai.dispatcher.TaskRecord;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.TaskTrace;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The user's side of the data path: encodes a task (with its seed, when the daemons are seeded), takes room for it in
 * the byte gate (backpressure), wraps it in a {@link TaskRecord} bound to a new {@link Mirai}, and hands it to the
 * {@link Dispatcher}. Also makes the records of an {@code everywhere} setup.
 *
 * <p>Threading: thread-safe; runs on the submitting thread (and, for {@code everywhere} records, on the dispatcher's).
 * The seed index is guarded by a lock so that it is taken only by a task that gets in, and that lock is never held
 * while waiting for room in the gate; ids come from an atomic counter.
 */
final class TaskSubmitter {
    private final Dispatcher dispatcher;
    private final KryoCodec codec;
    private final KryoCodec resultCodec; // bounded: results come from daemons, which may be compromised
    private final DaemonExits exits;
    private final QueueGate gate;
    private final int maxPayloadLength;
    private final MiraiOptions taskDefaults;
    private final boolean seeded;
    private final long seed;
    private final ReentrantLock seedLock = new ReentrantLock();
    private long seedIndex; // guarded by seedLock
    private final AtomicLong taskIds = new AtomicLong();
    private final TaskObserver observer; // null: none, and nothing is carried

    /**
     * @param codec encodes tasks
     * @param resultCodec decodes their results, with the bounds results get
     * @param exits adds how a lost local daemon ended to its task's code-19 error
     * @param seed the seed of the random streams, or null for unseeded tasks
     * @param observer told of each task as it is submitted (and asked for the trace context to carry), or null
     */
    TaskSubmitter(
            Dispatcher dispatcher,
            KryoCodec codec,
            KryoCodec resultCodec,
            DaemonExits exits,
            QueueGate gate,
            int maxPayloadLength,
            MiraiOptions taskDefaults,
            Long seed,
            TaskObserver observer) {
        this.dispatcher = dispatcher;
        this.codec = codec;
        this.resultCodec = resultCodec;
        this.exits = exits;
        this.gate = gate;
        // a carried trace context goes in front of the task: room for the longest is kept below the frame limit
        this.maxPayloadLength = observer == null ? maxPayloadLength : maxPayloadLength - TaskTrace.MAX_LENGTH;
        this.observer = observer;
        this.taskDefaults = taskDefaults;
        this.seeded = seed != null;
        this.seed = seed == null ? 0 : seed;
    }

    /**
     * Encodes, admits and submits one task.
     *
     * @param block wait for room in the gate (interruptibly), or give up at once
     * @param submittedNanos when it was submitted ({@link System#nanoTime()}): its timeout counts from then
     * @return its future, or empty when not blocking and there is no room
     */
    <T> Optional<Mirai<T>> submit(Callable<?> task, MiraiOptions options, boolean block, long submittedNanos) {
        MiraiOptions o = options.orElse(taskDefaults);
        ByteBuf payload;
        int room; // bytes taken in the gate
        if (seeded && gate.capacity() == 0) { // no queue limit: admission never waits, so number and admit at once
            seedLock.lock();
            try {
                payload = admit(encode(TaskEnvelope.seeded(task, seed, seedIndex + 1)), block);
                if (payload != null) {
                    seedIndex++;
                }
            } finally {
                seedLock.unlock();
            }
            if (payload == null) {
                return Optional.empty();
            }
            room = payload.readableBytes();
        } else if (seeded) {
            // The stream index is only taken by a task that gets in, so that results do not depend on timing; room is
            // taken first, outside the lock, so that a mirai() waiting for room never holds up a tryMirai().
            ByteBuf probe = admit(encode(TaskEnvelope.seeded(task, seed, Long.MAX_VALUE)), block); // longest index
            if (probe == null) {
                return Optional.empty();
            }
            room = probe.readableBytes();
            probe.release();
            seedLock.lock(); // held only to number and encode, never while waiting
            try {
                payload = encode(TaskEnvelope.seeded(task, seed, ++seedIndex));
            } catch (RuntimeException e) {
                gate.release(room);
                throw e;
            } finally {
                seedLock.unlock();
            }
        } else {
            payload = admit(encode(task), block);
            if (payload == null) {
                return Optional.empty();
            }
            room = payload.readableBytes();
        }
        long id = taskIds.incrementAndGet();
        String trace = observer == null ? null : traceContext(id, payload, room);
        Mirai<T> m = new Mirai<>(id, resultCodec);
        TaskRecord r = new TaskRecord(id, payload, exits.reporting(m::resolve)) // hand-off: the record owns the payload
                .gate(gate, room)
                .classLoader(task.getClass().getClassLoader()) // remote class loading serves the task's classes
                .retries(o.retries().orElse(0))
                .traceContext(trace);
        o.timeout().ifPresent(t -> r.timeout(t, submittedNanos));
        m.bind(dispatcher, r);
        dispatcher.submit(r);
        return Optional.of(m);
    }

    /** Encodes a setup and has the dispatcher run it on every connected daemon; @return one future per daemon */
    <T> List<Mirai<T>> everywhere(Task<T> setup) {
        ByteBuf payload = encode(TaskEnvelope.setup(setup));
        List<Mirai<T>> out = Collections.synchronizedList(new ArrayList<>());
        dispatcher.everywhere(payload, duplicate -> {
            long id = taskIds.incrementAndGet();
            Mirai<T> m = new Mirai<>(id, resultCodec);
            TaskRecord r = new TaskRecord(id, duplicate, exits.reporting(m::resolve))
                    .classLoader(setup.getClass().getClassLoader());
            m.bind(dispatcher, r);
            out.add(m);
            return r;
        });
        return List.copyOf(out);
    }

    /** Encodes a reset and has the dispatcher run it on every daemon; @return one future per daemon */
    List<Mirai<Integer>> reset() {
        ByteBuf payload = encode(TaskEnvelope.resetting());
        List<Mirai<Integer>> out = Collections.synchronizedList(new ArrayList<>());
        dispatcher.reset(payload, duplicate -> {
            long id = taskIds.incrementAndGet();
            Mirai<Integer> m = new Mirai<>(id, codec);
            TaskRecord r = new TaskRecord(id, duplicate, m::resolve);
            m.bind(dispatcher, r);
            out.add(m);
            return r;
        });
        return List.copyOf(out);
    }

    /** Tells the observer of task {@code id}; a context it cannot carry fails the task's submission, leaking nothing. */
    private String traceContext(long id, ByteBuf payload, int room) {
        String trace;
        try {
            trace = observer.taskSubmitted(id);
            if (trace == null || TaskTrace.isValidContext(trace)) {
                return trace;
            }
        } catch (RuntimeException e) {
            gate.release(room);
            payload.release();
            throw e;
        }
        gate.release(room);
        payload.release();
        throw new IllegalStateException("the task observer returned a trace context that cannot be carried: length="
                + trace.length() + " (expected: 1 to 255 printable ASCII characters)");
    }

    /** @return {@code task} encoded as a daemon reads it (a job's task payload), as bytes */
    byte[] encodeBytes(Object task) {
        ByteBuf b = encode(task);
        try {
            return io.netty.buffer.ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** @return the codec results are decoded with (bounded) */
    KryoCodec resultCodec() {
        return resultCodec;
    }

    /** @return the builder's default retries */
    int defaultRetries() {
        return taskDefaults.retries().orElse(0);
    }

    private ByteBuf encode(Object task) {
        ByteBuf payload;
        try {
            payload = codec.encode(PooledByteBufAllocator.DEFAULT, task);
        } catch (RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException("task could not be serialized: " + e.getMessage(), e);
        }
        if (payload.readableBytes() > maxPayloadLength) {
            int length = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException("task too large: length=" + length + ", maxPayloadLength="
                    + maxPayloadLength
                    + " (the frame limit less the header; raise it with Daemons.builder().maxFrameLength(n),"
                    + " now maxFrameLength=" + (maxPayloadLength + FrameHeader.LENGTH_AFTER_LENGTH_FIELD) + ")");
        }
        return payload;
    }

    /** Takes room in the gate for {@code payload}; returns null (payload released) if there is none and not blocking. */
    private ByteBuf admit(ByteBuf payload, boolean block) {
        int length = payload.readableBytes();
        boolean admitted;
        try {
            if (gate.capacity() > 0 && length > gate.capacity()) {
                throw new IllegalArgumentException(
                        "task larger than the queue limit: length=" + length + ", maxQueuedBytes=" + gate.capacity());
            }
            admitted = block ? gate.acquire(length, -1) : gate.tryAcquire(length);
        } catch (InterruptedException e) {
            payload.release();
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException(
                    "interrupted while waiting for room in the queue: length=" + length + ", maxQueuedBytes="
                            + gate.capacity(),
                    e);
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
        if (!admitted) {
            payload.release();
            return null;
        }
        return payload;
    }
}
