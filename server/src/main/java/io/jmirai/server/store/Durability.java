package io.jmirai.server.store;

/**
 * What "stored" means when a write returns. Both keep every write that returned through a {@code kill -9} of the
 * process (SQLite's write-ahead log is in the OS page cache by then); they differ on an OS crash or power loss.
 * Measured in server/README.md.
 */
public enum Durability {
    /**
     * The default: {@code synchronous=FULL}, the write-ahead log is fsync'ed before each write returns, so a
     * returned write survives a power loss too. One fsync per write: batch small results
     * ({@link JobStore#storeResults}) to amortise it.
     */
    SYNC,
    /**
     * {@code synchronous=NORMAL}: no fsync per write; a returned write survives the process being killed, but an OS
     * crash or power loss may lose the last writes (never corrupts the store). Many times faster for small results.
     */
    PROCESS
}
