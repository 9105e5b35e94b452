package io.jmirai.dispatcher;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A submitted task as the dispatcher holds it: the encoded payload (one reference, held until the task completes, so
 * it can be sent again) and the listener that resolves the user's future. The submitting thread may set the deadline,
 * retries and gate bytes before {@link Dispatcher#submit}; after that the record is confined to the dispatcher's
 * thread.
 */
public final class TaskRecord {
    /** Where a task is. */
    enum State {
        NEW,
        QUEUED,
        RUNNING
    }

    private final long id;
    private final ByteBuf payload;
    private final Consumer<Outcome> listener;
    private boolean done;

    // Set before submission.
    private long deadlineNanos;
    private Duration timeout;
    private int retries;
    private QueueGate gate;
    private int gateBytes;
    private String traceContext;
    private ClassLoader classLoader;

    // Confined to the dispatcher's thread.
    State state = State.NEW;
    DaemonConnection connection;
    boolean pinned;
    boolean internal;
    int losses;
    /** Payload bytes when it was last sent (counted in its connection's {@code inflightBytes} while there). */
    int sentBytes;
    /** A RECALL was sent for it and not yet answered ({@link PrefetchScheduling}). */
    boolean recalling;
    /** Submission order on the dispatcher's thread (returned tasks are queued again in this order). */
    long seq;
    /** Held by {@link Deadlines}, due at {@link #due} on the loop's clock. */
    boolean watched;

    long due;

    /**
     * @param id the task id (correlation id on the wire)
     * @param payload the encoded task; ownership passes to the record
     * @param listener called exactly once, on the dispatcher's thread, when the task completes
     */
    public TaskRecord(long id, ByteBuf payload, Consumer<Outcome> listener) {
        this.id = id;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** @return the task id */
    public long id() {
        return id;
    }

    /**
     * Gives the task a timeout that counts from {@code submittedNanos} ({@link System#nanoTime()}), queue time
     * included. Call before submitting.
     *
     * @return this
     */
    public TaskRecord timeout(Duration value, long submittedNanos) {
        this.timeout = Objects.requireNonNull(value, "timeout");
        this.deadlineNanos = submittedNanos + value.toNanos();
        return this;
    }

    /**
     * Lets the task be queued again up to {@code value} times if its daemon is lost. Call before submitting.
     *
     * @return this
     */
    public TaskRecord retries(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("retries : " + value + " (expected: >= 0)");
        }
        this.retries = value;
        return this;
    }

    /**
     * Notes that the task holds {@code bytes} of {@code value}'s room, given back when it is written or resolves.
     * Call before submitting.
     *
     * @return this
     */
    public TaskRecord gate(QueueGate value, int bytes) {
        this.gate = Objects.requireNonNull(value, "gate");
        this.gateBytes = bytes;
        return this;
    }

    /**
     * Carries {@code value} (a trace context, {@link io.jmirai.transport.protocol.TaskTrace}) with the task to daemons
     * that negotiated {@code TRACE_CONTEXT}; others get the task alone. Call before submitting.
     *
     * @param value 1 to 255 printable ASCII characters, or null for none
     * @return this
     */
    public TaskRecord traceContext(String value) {
        if (value != null && !io.jmirai.transport.protocol.TaskTrace.isValidContext(value)) {
            throw new IllegalArgumentException(
                    "traceContext : " + value.length() + " characters (expected: 1 to 255 printable ASCII)");
        }
        this.traceContext = value;
        return this;
    }

    /** @return the trace context carried with the task, or null */
    String traceContext() {
        return traceContext;
    }

    /**
     * Names the class loader that defined the task: remote class loading serves a daemon's requests made while this
     * task is in flight on its connection from it ({@link ClassServer}). Call before submitting.
     *
     * @return this
     */
    public TaskRecord classLoader(ClassLoader value) {
        this.classLoader = value;
        return this;
    }

    /** @return the loader that defined the task, or null if not known */
    ClassLoader classLoader() {
        return classLoader;
    }

    ByteBuf payload() {
        return payload;
    }

    boolean isDone() {
        return done;
    }

    Duration timeout() {
        return timeout;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    int retries() {
        return retries;
    }

    /** Queued again after a lost daemon: counts its bytes again, whatever the capacity. */
    void regate() {
        if (gate != null && gateBytes == 0) {
            gateBytes = payload.readableBytes();
            gate.force(gateBytes);
        }
    }

    /** Gives back the task's room in the gate. Idempotent. */
    void releaseGate() {
        if (gate != null && gateBytes != 0) {
            gate.release(gateBytes);
            gateBytes = 0;
        }
    }

    /**
     * Completes the task: gives back its gate room, releases the payload and tells the listener. Later calls do
     * nothing. The connection it ran on is kept, so that a late RESULT can still be matched.
     */
    void complete(Outcome outcome) {
        if (done) {
            return;
        }
        done = true;
        releaseGate();
        payload.release();
        listener.accept(outcome);
    }
}
