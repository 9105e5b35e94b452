package io.jmirai.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;

/**
 * Read-only connections for the store's readers: WAL lets any number of them read while the one writer writes.
 * Connections are opened on demand and up to {@link #MAX_IDLE} are kept for reuse. Thread-safe.
 */
final class ReaderPool implements AutoCloseable {
    static final int MAX_IDLE = 4;

    /** Opens one new reader connection. */
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ReaderPool(Opener opener) {
        this.opener = opener;
    }

    /** A connection in auto-commit mode, for this caller alone until {@link #giveBack}. */
    Connection borrow() throws SQLException {
        Connection c;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("job store closed");
            }
            c = idle.poll();
        }
        return c != null ? c : opener.open();
    }

    /** Takes a borrowed connection back (ends any transaction it was left in); called once per borrow. */
    void giveBack(Connection c) {
        boolean keep;
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            synchronized (this) {
                keep = !closed && idle.size() < MAX_IDLE;
                if (keep) {
                    idle.push(c);
                }
            }
        } catch (SQLException e) {
            keep = false;
        }
        if (!keep) {
            closeQuietly(c);
        }
    }

    @Override
    public void close() {
        ArrayDeque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(ReaderPool::closeQuietly);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Nothing to do: the connection is being dropped, and it only ever read.
        }
    }
}
