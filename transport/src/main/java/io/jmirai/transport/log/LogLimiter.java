package io.jmirai.transport.log;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets at most one event of a kind be logged per interval and counts the others, so that something a stranger can
 * repeat at will (a refused handshake, say) cannot flood the log. Usage:
 *
 * <pre>{@code
 * long skipped = refusals.tryAcquire();
 * if (skipped >= 0) {
 *     LOG.warn("handshake refused: remote={}, reason={} ({} more since the last report)", remote, reason, skipped);
 * }
 * }</pre>
 *
 * Lock-free and thread-safe.
 */
public final class LogLimiter {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the next event may be logged ({@code nanoClock} time); {@code Long.MIN_VALUE} before the first. */
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

    private final AtomicLong skipped = new AtomicLong();

    /** @param interval the least time between two logged events */
    public LogLimiter(Duration interval) {
        this(interval, System::nanoTime);
    }

    LogLimiter(Duration interval, LongSupplier nanoClock) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval : " + interval + " (expected: > 0)");
        }
        this.intervalNanos = interval.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Records one event.
     *
     * @return -1 if this event must not be logged; otherwise how many events were skipped since the last logged one
     */
    public long tryAcquire() {
        long now = nanoClock.getAsLong();
        long due = next.get();
        if ((due != Long.MIN_VALUE && now - due < 0) || !next.compareAndSet(due, now + intervalNanos)) {
            skipped.incrementAndGet();
            return -1;
        }
        return skipped.getAndSet(0);
    }
}
