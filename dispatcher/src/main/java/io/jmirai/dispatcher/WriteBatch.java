package io.jmirai.dispatcher;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * Write coalescing: frames are written to daemon connections without a flush, and each connection written to is
 * flushed once at the end of the event loop's current pass (a task queued on the loop runs after the I/O it is
 * processing), so a burst of assignments, or the assignments that follow the results of one read, cost one {@code
 * writev} per connection instead of one per frame.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class WriteBatch implements Runnable {
    private final EventExecutor loop;
    private final ArrayList<DaemonConnection> dirty = new ArrayList<>();
    private boolean scheduled;

    WriteBatch(EventExecutor loop) {
        this.loop = loop;
    }

    /** {@code conn} was written to: flush it at the end of this pass. */
    void written(DaemonConnection conn) {
        if (conn.dirty) {
            return;
        }
        conn.dirty = true;
        dirty.add(conn);
        if (!scheduled) {
            scheduled = true;
            try {
                loop.execute(this);
            } catch (RejectedExecutionException e) {
                run(); // the loop is shutting down: flush now
            }
        }
    }

    /** Flushes every connection written to since the last run. */
    @Override
    public void run() {
        scheduled = false;
        for (int i = 0; i < dirty.size(); i++) {
            DaemonConnection conn = dirty.get(i);
            conn.dirty = false;
            conn.channel().flush();
        }
        dirty.clear();
    }
}
