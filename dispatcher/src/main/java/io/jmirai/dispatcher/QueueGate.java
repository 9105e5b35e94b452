package io.jmirai.dispatcher;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Backpressure: counts the payload bytes of tasks submitted but not yet written to a daemon, against a capacity.
 * Submitting threads {@link #acquire} (blocking, interruptibly) or {@link #tryAcquire}; the dispatcher releases a
 * task's bytes once its TASK frame is written, or when it resolves without being sent. Thread-safe.
 */
public final class QueueGate {
    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private long used;
    private long peak;
    private boolean closed;

    /** @param capacity the most bytes that may wait at once; 0 for no limit (bytes are still counted) */
    public QueueGate(long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity : " + capacity + " (expected: >= 0)");
        }
        this.capacity = capacity;
    }

    /** @return the capacity in bytes, 0 for no limit */
    public long capacity() {
        return capacity;
    }

    /** @return the bytes waiting now */
    public long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** @return the most bytes that have waited at once */
    public long peak() {
        lock.lock();
        try {
            return peak;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes room for {@code bytes}, waiting until there is some.
     *
     * @param bytes the task's payload length (at most the capacity)
     * @param timeoutNanos the longest wait; negative to wait without bound
     * @return false if the wait timed out
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalStateException if the gate is closed
     */
    public boolean acquire(long bytes, long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = timeoutNanos;
            while (!closed && !fits(bytes)) {
                if (timeoutNanos < 0) {
                    room.await();
                } else {
                    if (left <= 0) {
                        return false;
                    }
                    left = room.awaitNanos(left);
                }
            }
            if (closed) {
                throw new IllegalStateException("daemons are closed");
            }
            add(bytes);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes room for {@code bytes} if there is some now.
     *
     * @return false if the gate is full
     * @throws IllegalStateException if the gate is closed
     */
    public boolean tryAcquire(long bytes) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("daemons are closed");
            }
            if (!fits(bytes)) {
                return false;
            }
            add(bytes);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Counts bytes that must wait whatever the capacity (a task queued again after its daemon was lost). */
    void force(long bytes) {
        lock.lock();
        try {
            add(bytes);
        } finally {
            lock.unlock();
        }
    }

    /** Gives back room taken by {@link #acquire}, {@link #tryAcquire} or {@link #force}. */
    public void release(long bytes) {
        lock.lock();
        try {
            used -= bytes;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter; later acquisitions fail. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(long bytes) {
        return capacity == 0 || used + bytes <= capacity;
    }

    private void add(long bytes) {
        used += bytes;
        peak = Math.max(peak, used);
    }
}
