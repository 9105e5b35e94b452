package io.jmirai.dispatcher;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * How the dispatcher steers work, as opposed to how it connects ({@link DispatcherConfig}).
 *
 * @param direct no central queue: each task goes, round-robin, straight to a connected daemon, which queues it
 * @param interruptGrace how long a daemon has to answer after its running task was cancelled; then it is recycled
 * @param gate counts queued payload bytes (backpressure)
 * @param onRecycle told, on the dispatcher's thread, the slot of a daemon being recycled (before it is closed)
 * @param prefetch how many tasks a daemon may hold at once (not direct): it runs one and the others wait there, so it
 *     starts the next without a round trip; 1 for one task in flight per daemon
 */
public record DispatchPolicy(
        boolean direct, Duration interruptGrace, QueueGate gate, IntConsumer onRecycle, int prefetch) {
    /** The default grace for a daemon whose task ignores an interrupt. */
    public static final Duration DEFAULT_INTERRUPT_GRACE = Duration.ofSeconds(5);

    /**
     * The default prefetch window: 16 tasks per daemon (bounded to 1 MiB of payload, so large tasks still go one at a
     * time), which about doubled the no-op and map throughput of a fresh session over a window of 1 with the round
     * trip unchanged (benchmarks/README.md); recall keeps short tasks from waiting behind a long one.
     */
    public static final int DEFAULT_PREFETCH = 16;

    /** A policy with the default prefetch window. */
    public DispatchPolicy(boolean direct, Duration interruptGrace, QueueGate gate, IntConsumer onRecycle) {
        this(direct, interruptGrace, gate, onRecycle, DEFAULT_PREFETCH);
    }

    /** Checks the fields. */
    public DispatchPolicy {
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch : " + prefetch + " (expected: >= 1)");
        }
        Objects.requireNonNull(interruptGrace, "interruptGrace");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(onRecycle, "onRecycle");
        if (interruptGrace.isNegative() || interruptGrace.isZero()) {
            throw new IllegalArgumentException("interruptGrace : " + interruptGrace + " (expected: > 0)");
        }
    }

    /** @return a central FIFO queue, a 5-second interrupt grace and no byte limit */
    public static DispatchPolicy defaults() {
        return new DispatchPolicy(false, DEFAULT_INTERRUPT_GRACE, new QueueGate(0), slot -> {});
    }
}
