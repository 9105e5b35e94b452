package io.jmirai.dispatcher;

import java.util.Iterator;
import java.util.Map;

/**
 * Keeps the status rows of the shared URL bounded: every connection there gets a row, and rows that went offline are
 * forgotten, oldest first, beyond {@link #MAX_OFFLINE} of them, so that daemons reconnecting for days (or strangers
 * holding the secret) cannot grow {@code status()} without bound. Rows of per-daemon URLs and reserved slots are never
 * pruned; the totals ({@code cumulative}, {@code completed}) keep counting. Confined to the dispatcher's thread.
 */
final class SharedRowPruner {
    /** How many offline rows of the shared URL are kept. */
    static final int MAX_OFFLINE = 64;

    private final int max;
    private int offline;

    SharedRowPruner() {
        this(MAX_OFFLINE);
    }

    SharedRowPruner(int max) {
        this.max = max;
    }

    /**
     * Notes that a shared-URL row went offline and forgets the oldest offline ones over the limit.
     *
     * @param slots the rows, in insertion order (oldest first)
     */
    void wentOffline(Map<Integer, SlotRegistry.SlotRow> slots) {
        offline++;
        for (Iterator<SlotRegistry.SlotRow> it = slots.values().iterator(); offline > max && it.hasNext(); ) {
            SlotRegistry.SlotRow r = it.next();
            if (r.slot == 0 && !r.online) {
                it.remove();
                offline--;
            }
        }
    }
}
