package io.jmirai.dispatcher;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A submitted task as the dispatcher holds it: the encoded payload (one reference, held until the task completes, so
 * it can be sent again) and the listener that resolves the user's future. Confined to the dispatcher's thread after
 * submission.
 */
public final class TaskRecord {
    private final long id;
    private final ByteBuf payload;
    private final Consumer<Outcome> listener;
    private boolean done;
    DaemonConnection connection;

    /**
     * @param id the task id
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

    ByteBuf payload() {
        return payload;
    }

    boolean isDone() {
        return done;
    }

    /** Completes the task: releases the payload and tells the listener. Later calls do nothing. */
    void complete(Outcome outcome) {
        if (done) {
            return;
        }
        done = true;
        connection = null;
        payload.release();
        listener.accept(outcome);
    }
}
