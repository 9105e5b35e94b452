package io.jmirai.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The stored results of one job in item order, one at a time, each value streamed from the store: reading a job of
 * any size holds one chunk ({@value Chunks#CHUNK} bytes) in the heap, not the job. Use like a JDBC result set:
 *
 * <pre>{@code
 * try (ResultCursor c = store.results(jobId, 0)) {
 *     while (c.next()) {
 *         try (InputStream in = c.value()) { ... c.index(), c.status() ... }
 *     }
 * }
 * }</pre>
 *
 * The cursor reads one snapshot of the store, taken when it is opened: results stored later are not in
 * it, a job deleted meanwhile is still readable through it. It holds a database connection and that snapshot (which
 * keeps the write-ahead log from being reset) until {@link #close()}: close it promptly. Not thread-safe: one thread
 * at a time.
 */
public final class ResultCursor implements AutoCloseable {
    private final ReaderPool pool;
    private final Connection connection;
    private final Path path;
    private final String jobId;
    private final long jid;
    private final PreparedStatement select;
    private final ResultSet rows;
    private boolean onRow;
    private int index;
    private ResultStatus status;
    private long size;
    private int crc;
    private InputStream value;
    private boolean valueOpened;
    private boolean closed;

    ResultCursor(ReaderPool pool, Connection connection, Path path, String jobId, long jid, int fromIndex)
            throws SQLException {
        this.pool = pool;
        this.connection = connection;
        this.path = path;
        this.jobId = jobId;
        this.jid = jid;
        this.select = connection.prepareStatement(
                "SELECT idx, status, size, crc FROM result WHERE jid = ? AND idx >= ? ORDER BY idx");
        try {
            select.setLong(1, jid);
            select.setInt(2, fromIndex);
            this.rows = select.executeQuery();
        } catch (SQLException e) {
            select.close();
            throw e;
        }
    }

    /** Moves to the next stored result; false when there is none (then the cursor stays there). */
    public boolean next() {
        checkOpen();
        closeValue();
        try {
            onRow = rows.next();
        } catch (SQLException e) {
            throw StoreException.of("results of job " + jobId, path, e);
        }
        if (onRow) {
            try {
                index = rows.getInt(1);
                status = ResultStatus.fromCode(rows.getInt(2));
                size = rows.getLong(3);
                crc = rows.getInt(4);
            } catch (SQLException e) {
                throw StoreException.of("results of job " + jobId, path, e);
            }
            valueOpened = false;
        }
        return onRow;
    }

    /** The current result's task index. */
    public int index() {
        checkRow();
        return index;
    }

    /** Whether the current result is a value or an error. */
    public ResultStatus status() {
        checkRow();
        return status;
    }

    /** The current result's length in bytes. */
    public long size() {
        checkRow();
        return size;
    }

    /**
     * The current result's bytes as a stream, read from the store as it is consumed; at most once per result, valid
     * until {@link #next()} or {@link #close()} (which close it). A damaged value fails the read at its end with an
     * {@link IOException} naming the job and index, instead of returning wrong bytes.
     *
     * @throws StoreException if the store cannot start reading it (a damaged file)
     */
    public InputStream value() {
        checkRow();
        if (valueOpened) {
            throw new IllegalStateException("value already opened: job=" + jobId + ", index=" + index);
        }
        valueOpened = true;
        try {
            PreparedStatement chunks =
                    connection.prepareStatement("SELECT data FROM result_chunk WHERE jid = ? AND idx = ? ORDER BY seq");
            try {
                chunks.setLong(1, jid);
                chunks.setInt(2, index);
                value = Chunks.read(chunks, size, crc, "job=" + jobId + ", index=" + index, path, () -> {});
            } catch (SQLException e) {
                chunks.close();
                throw e;
            }
        } catch (SQLException e) {
            throw StoreException.of("read of job=" + jobId + ", index=" + index, path, e);
        }
        return value;
    }

    /** The current result's bytes in one array: for results known to be small. */
    public byte[] valueBytes() {
        try (InputStream in = value()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the current value, the statement and gives the connection back. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeValue();
            rows.close();
            select.close();
        } catch (SQLException e) {
            // The connection goes back anyway; giveBack rolls the snapshot back or drops the connection.
        } finally {
            pool.giveBack(connection);
        }
    }

    private void closeValue() {
        if (value != null) {
            try {
                value.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                value = null;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cursor closed: job=" + jobId);
        }
    }

    private void checkRow() {
        checkOpen();
        if (!onRow) {
            throw new IllegalStateException("cursor not on a result (call next() first): job=" + jobId);
        }
    }
}
