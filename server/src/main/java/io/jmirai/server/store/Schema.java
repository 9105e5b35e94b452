package io.jmirai.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The store's tables and their version. A new store is created at {@link #CURRENT}; an older one is migrated step by
 * step ({@link #migrate}), in one transaction; a newer one is refused, since this code cannot know what it means.
 *
 * <pre>
 * schema_version(version)                            one row
 * property(name PK, value)                           server settings kept across restarts (secret, certificate)
 * job(jid PK, id UNIQUE, created_ms, total, state, done, failed)
 * task(jid, idx, payload)            PK(jid, idx)    payloads of tasks with no result yet (deleted with the result)
 * result(jid, idx, status, size, crc) PK(jid, idx)   one row per resolved task: exactly once
 * result_chunk(jid, idx, seq, data)  PK(jid, idx, seq)        the result's bytes, {@value Chunks#CHUNK} per row
 * output_file(jid, idx, name, size, crc) PK(jid, idx, name)
 * output_chunk(jid, idx, name, seq, data) PK(jid, idx, name, seq)
 * </pre>
 *
 * Ordinary rowid tables throughout: SQLite advises against WITHOUT ROWID for rows of kilobytes. Called only on the
 * writer connection, under the store's write lock.
 */
final class Schema {
    /** The version this code writes. Bump it and add a step to {@link #migrate} for every change of the tables. */
    static final int CURRENT = 1;

    private Schema() {}

    /** Creates the tables of an empty store, or checks and migrates an existing one, in the caller's transaction. */
    static void createOrMigrate(Connection c, Path path) throws SQLException {
        int version = version(c);
        if (version == 0) {
            create(c);
        } else if (version > CURRENT) {
            throw new StoreException(
                    "store schema version " + version + " is newer than this jmirai understands (" + CURRENT + ")",
                    path,
                    StoreException.Kind.UNUSABLE,
                    null);
        } else if (version < CURRENT) {
            migrate(c, version);
        }
    }

    /** The stored version, or 0 for a store with no tables yet. */
    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_version'")) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version(version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version(version) VALUES (" + CURRENT + ")");
            s.execute("CREATE TABLE property(name TEXT PRIMARY KEY, value BLOB NOT NULL)");
            s.execute("CREATE TABLE job(jid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
                    + " total INTEGER NOT NULL, state INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
                    + " failed INTEGER NOT NULL DEFAULT 0)");
            s.execute("CREATE TABLE task(jid INTEGER NOT NULL, idx INTEGER NOT NULL, payload BLOB NOT NULL,"
                    + " PRIMARY KEY(jid, idx))");
            s.execute("CREATE TABLE result(jid INTEGER NOT NULL, idx INTEGER NOT NULL, status INTEGER NOT NULL,"
                    + " size INTEGER NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY(jid, idx))");
            s.execute("CREATE TABLE result_chunk(jid INTEGER NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL,"
                    + " data BLOB NOT NULL, PRIMARY KEY(jid, idx, seq))");
            s.execute("CREATE TABLE output_file(jid INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,"
                    + " size INTEGER NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY(jid, idx, name))");
            s.execute("CREATE TABLE output_chunk(jid INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,"
                    + " seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(jid, idx, name, seq))");
        }
    }

    /** Brings a store at {@code from} (1 <= from < CURRENT) to {@link #CURRENT}, one step per version. */
    private static void migrate(Connection c, int from) throws SQLException {
        for (int v = from; v < CURRENT; v++) {
            switch (v) {
                // case 1: ALTER TABLE ... (the step from version 1 to 2) when version 2 exists.
                default:
                    throw new SQLException("no migration step from schema version " + v);
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = " + CURRENT);
        }
    }
}
