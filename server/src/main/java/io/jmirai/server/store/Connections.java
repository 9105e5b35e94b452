package io.jmirai.server.store;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How the store talks to SQLite: opening its connections with the right pragmas, and running a transaction. Static
 * helpers, no state.
 */
final class Connections {
    private Connections() {}

    /** Work on a connection that may fail with the database's or the input's exception. */
    interface SqlWork<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    /** The one writer: WAL mode, the durability asked for, the size cap if any; auto-commit (see inTransaction). */
    static Connection writer(Path path, StoreOptions options) throws SQLException {
        return connect(path, false, options);
    }

    /** A reader: refuses writes ({@code query_only}). */
    static Connection reader(Path path) throws SQLException {
        return connect(path, true, StoreOptions.defaults());
    }

    private static Connection connect(Path path, boolean readOnly, StoreOptions options) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 30000");
            if (readOnly) {
                s.execute("PRAGMA query_only = 1");
            } else {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                        throw new SQLException("cannot switch the store to WAL mode");
                    }
                }
                s.execute("PRAGMA synchronous = " + (options.durability() == Durability.SYNC ? "FULL" : "NORMAL"));
                // After a checkpoint, shrink a log that a large result made big back to 64 MiB.
                s.execute("PRAGMA journal_size_limit = 67108864");
                if (options.maxBytes() > 0) {
                    long pageSize;
                    try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                        rs.next();
                        pageSize = rs.getLong(1);
                    }
                    s.execute("PRAGMA max_page_count = " + Math.max(1, options.maxBytes() / pageSize));
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Runs {@code work} in one transaction on the writer, committing or rolling back. Transactions are SQL
     * statements, not JDBC's auto-commit switch: SQLite rolls a transaction back by itself on some errors (a full
     * disk), after which the driver's own bookkeeping would leave the connection outside any transaction.
     */
    static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException, IOException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(c);
                s.execute("COMMIT");
                return result;
            } catch (SQLException | IOException | RuntimeException | Error e) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException rollbackFailed) {
                    // SQLite had rolled back already ("no transaction is active"), or the file is gone.
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }
}
