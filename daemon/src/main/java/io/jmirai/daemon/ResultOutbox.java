package io.jmirai.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Hands what the worker did (a task started, a task finished with its RESULT payload) back to the daemon's event loop
 * in order, with one wake-up of the loop per batch instead of one per result: the first entry added while no drain is
 * pending schedules a drain at once (so a lone result is never delayed); entries added before that drain runs ride
 * along with it. A drain passes every entry to the {@link Sink} in the order added, then calls {@link Sink#drained()}
 * once, where the daemon flushes the connection: one write syscall per batch.
 *
 * <p>Threading: {@link #started} and {@link #finished} from any thread (the worker); the sink is called on the loop
 * the outbox was given. The queue is guarded by the outbox's own lock.
 */
final class ResultOutbox {
    /** Takes the worker's news on the event loop. */
    interface Sink {
        /** Task {@code id} was taken by the worker (reported only when the runner was asked to report starts). */
        void started(long id);

        /**
         * @param result the RESULT payload; ownership passes to the sink
         * @param attempt the connection attempt the task arrived on
         * @param recycle whether the daemon must exit once this RESULT is sent (the worker has stopped taking tasks)
         */
        void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle);

        /** The end of a batch: everything added so far has been passed on. */
        void drained();
    }

    private record Entry(long id, int flags, ByteBuf result, int attempt, boolean recycle, boolean start) {}

    private final Executor loop;
    private final Sink sink;
    private final Runnable drain = this::drain;

    // Guarded by this.
    private ArrayDeque<Entry> pending = new ArrayDeque<>();
    private ArrayDeque<Entry> spare = new ArrayDeque<>();
    private boolean drainScheduled;
    private long wakeups;

    ResultOutbox(Executor loop, Sink sink) {
        this.loop = loop;
        this.sink = sink;
    }

    /** The worker took task {@code id}. Any thread. */
    void started(long id) {
        add(new Entry(id, 0, null, 0, false, true));
    }

    /** The worker finished task {@code id}; ownership of {@code result} passes to the outbox. Any thread. */
    void finished(long id, int flags, ByteBuf result, int attempt, boolean recycle) {
        add(new Entry(id, flags, result, attempt, recycle, false));
    }

    /** @return whether entries wait for a drain (the worker's news is not yet on the loop) */
    synchronized boolean isPending() {
        return !pending.isEmpty();
    }

    /** @return how many times a drain was scheduled (one loop wake-up each), for tests and measurements */
    synchronized long wakeups() {
        return wakeups;
    }

    private void add(Entry e) {
        boolean schedule;
        synchronized (this) {
            pending.add(e);
            schedule = !drainScheduled;
            if (schedule) {
                drainScheduled = true;
                wakeups++;
            }
        }
        if (schedule) {
            try {
                loop.execute(drain);
            } catch (RuntimeException rejected) { // the loop is shutting down: nobody will send these
                releaseAll();
            }
        }
    }

    private void drain() {
        ArrayDeque<Entry> batch;
        synchronized (this) {
            batch = pending;
            pending = spare;
            drainScheduled = false;
        }
        Entry e;
        while ((e = batch.poll()) != null) {
            if (e.start()) {
                sink.started(e.id());
            } else {
                sink.finished(e.id(), e.flags(), e.result(), e.attempt(), e.recycle());
            }
        }
        synchronized (this) {
            spare = batch;
        }
        sink.drained();
    }

    private void releaseAll() {
        synchronized (this) {
            Entry e;
            while ((e = pending.poll()) != null) {
                ReferenceCountUtil.release(e.result());
            }
            drainScheduled = false;
        }
    }
}
