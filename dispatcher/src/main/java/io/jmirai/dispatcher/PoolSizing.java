package io.jmirai.dispatcher;

import io.jmirai.Status;
import io.jmirai.transport.protocol.Handshake;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The dispatcher's side of sizing the pool: which daemons retire (scaling down), telling a retiring daemon to exit
 * once nothing is in flight on it, the scale target and the recent launch failures that {@link Status} reports. A
 * retiring daemon leaves the {@link SchedulingPolicy} at once, so it is never given another task; a busy one finishes
 * what it has first.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class PoolSizing {
    private final ArrayDeque<String> launchFailures = new ArrayDeque<>();
    private int expected = -1; // the scale target; -1: never scaled

    /**
     * Retires up to {@code n} of the daemons that take tasks: idle ones first (longest idle first), then busy ones
     * (fewest in flight first), never leaving fewer than {@code keep}.
     *
     * @param minIdle if not null, only daemons idle at least this long
     * @return how many were retired
     */
    int retire(
            List<DaemonConnection> online,
            SchedulingPolicy policy,
            int n,
            Duration minIdle,
            int keep,
            IntConsumer onRetire) {
        List<DaemonConnection> active = new ArrayList<>();
        for (DaemonConnection conn : online) {
            if (conn.takesTasks()) {
                active.add(conn);
            }
        }
        active.sort(Comparator.<DaemonConnection>comparingInt(c -> c.inflight.size())
                .thenComparingLong(c -> c.idleSince));
        long now = System.nanoTime();
        int retired = 0;
        for (DaemonConnection conn : active) {
            if (retired >= n || active.size() - retired <= keep) {
                break;
            }
            boolean idle = conn.inflight.isEmpty() && conn.pinned.isEmpty();
            if (minIdle != null && (!idle || now - conn.idleSince < minIdle.toNanos())) {
                continue;
            }
            conn.retiring = true;
            policy.lost(conn);
            onRetire.accept(conn.row.slot);
            closeIfRetired(conn);
            retired++;
        }
        return retired;
    }

    /** A retiring daemon with nothing in flight is told to exit (GOODBYE {@code RETIRED}: it does not redial). */
    void closeIfRetired(DaemonConnection conn) {
        if (conn.retiring && conn.inflight.isEmpty()) {
            conn.close(Handshake.Goodbye.RETIRED, "retired");
        }
    }

    void target(int target) {
        expected = target;
    }

    /** @return the scale target, or (never scaled) {@code fallback} */
    int expectedOr(int fallback) {
        return expected >= 0 ? expected : fallback;
    }

    void launchFailed(String why) {
        launchFailures.add(why);
        while (launchFailures.size() > Status.MAX_LAUNCH_FAILURES) {
            launchFailures.poll();
        }
    }

    List<String> launchFailures() {
        return List.copyOf(launchFailures);
    }
}
