package io.jmirai;

import java.util.List;

/**
 * A snapshot of the daemons and the task queue, taken on the dispatcher's thread (so its numbers agree with each
 * other). Tasks are counted once each: {@code awaiting + executing + completed} is the number submitted.
 *
 * @param url the URL daemons dial
 * @param connections daemons connected and authenticated now
 * @param cumulative daemons that have ever connected
 * @param awaiting tasks queued, not yet sent to a daemon
 * @param executing tasks sent to a daemon, not yet resolved
 * @param completed tasks resolved, in any way (value, error, timeout, cancellation, daemon lost)
 * @param daemons one row per daemon slot
 * @param queuedBytes payload bytes of tasks submitted and not yet written to a daemon (the backpressure gauge)
 * @param peakQueuedBytes the most such bytes at any time so far
 * @param maxQueuedBytes the limit on them ({@code Daemons.Builder.maxQueuedBytes}), 0 for none
 * @param expected how many daemons the pool aims at: the target of the last {@code Daemons.scale}, what autoscale
 *     aims at now, or (never scaled) {@code running + initializing}
 * @param running daemons connected and taking tasks (connections minus those retiring)
 * @param initializing daemons launched by this host that have not connected yet (processes starting, jobs queued)
 * @param launchFailures the most recent launches that failed or never connected within the start timeout (what was
 *     started was killed or cancelled), newest last, at most {@value #MAX_LAUNCH_FAILURES}
 */
public record Status(
        String url,
        int connections,
        long cumulative,
        long awaiting,
        long executing,
        long completed,
        List<DaemonStatus> daemons,
        long queuedBytes,
        long peakQueuedBytes,
        long maxQueuedBytes,
        int expected,
        int running,
        int initializing,
        List<String> launchFailures) {
    /** How many launch failures a status keeps. */
    public static final int MAX_LAUNCH_FAILURES = 16;

    /** Copies the lists. */
    public Status {
        daemons = List.copyOf(daemons);
        launchFailures = List.copyOf(launchFailures);
    }

    /**
     * One daemon slot.
     *
     * @param id the slot's id
     * @param url the URL the slot's daemon dials
     * @param online whether a daemon is connected at the slot now
     * @param instance how many daemons have connected at the slot so far
     * @param assigned tasks sent to the slot's daemons
     * @param complete results received from the slot's daemons
     */
    public record DaemonStatus(String id, String url, boolean online, int instance, long assigned, long complete) {}

    /** @return a table for people, like mirai's {@code status()} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append("url:         ").append(url).append('\n');
        b.append("connections: ").append(connections).append('\n');
        b.append("cumulative:  ").append(cumulative).append('\n');
        b.append("awaiting:    ").append(awaiting).append('\n');
        b.append("executing:   ").append(executing).append('\n');
        b.append("completed:   ").append(completed).append('\n');
        b.append("expected:    ")
                .append(expected)
                .append(" (running ")
                .append(running)
                .append(", initializing ")
                .append(initializing)
                .append(")\n");
        b.append("queued:      ")
                .append(queuedBytes)
                .append(" bytes (peak ")
                .append(peakQueuedBytes)
                .append(", max ")
                .append(maxQueuedBytes == 0 ? "unlimited" : Long.toString(maxQueuedBytes))
                .append(")\n");
        for (String f : launchFailures) {
            b.append("launch failed: ").append(f).append('\n');
        }
        if (!daemons.isEmpty()) {
            b.append(String.format("%-10s %-6s %8s %8s %8s%n", "daemon", "online", "instance", "assigned", "complete"));
            for (DaemonStatus d : daemons) {
                b.append(String.format(
                        "%-10s %-6s %8d %8d %8d%n",
                        d.id(), d.online() ? "yes" : "no", d.instance(), d.assigned(), d.complete()));
            }
        }
        return b.toString();
    }
}
