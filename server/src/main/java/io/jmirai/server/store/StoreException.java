package io.jmirai.server.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The job store could not do what was asked because of the storage itself: the disk is full (or the store reached
 * {@link StoreOptions#maxBytes()}), the file is corrupt or not a store, an I/O error, a store written by a newer
 * version. The message names the operation, the store's path and the database's reason; {@link #kind()} says which
 * of these it is, so a server can report "store full" differently from "store corrupt". The store stays open after
 * one: other operations (reads of intact data, in particular) go on working.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the database tells. */
    public enum Kind {
        /** No space left: the disk, or {@link StoreOptions#maxBytes()}. Deleting jobs frees space for new writes. */
        FULL,
        /** The file is damaged, or is not a job store at all. */
        CORRUPT,
        /** The store was written by a newer version of jmirai, or another process has it open. */
        UNUSABLE,
        /** Any other failure of the database or the file system. */
        IO
    }

    private final transient Path path;
    private final Kind kind;

    public StoreException(String message, Path path, Kind kind, Throwable cause) {
        super(message + ": path=" + path + (cause == null ? "" : ", cause=" + cause.getMessage()), cause);
        this.path = Objects.requireNonNull(path, "path");
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** Maps a database failure during {@code operation} to a {@code StoreException} of the right kind. */
    static StoreException of(String operation, Path path, SQLException e) {
        // Primary SQLite result codes (the low byte of an extended code): 13 FULL, 11 CORRUPT, 26 NOTADB.
        int code = e.getErrorCode() & 0xff;
        Kind kind = code == 13 ? Kind.FULL : code == 11 || code == 26 ? Kind.CORRUPT : Kind.IO;
        String what = kind == Kind.FULL ? "store full" : kind == Kind.CORRUPT ? "store corrupt" : "store failed";
        return new StoreException(what + " during " + operation, path, kind, e);
    }

    /** The store's database file. */
    public Path path() {
        return path;
    }

    /** Which kind of failure this is. */
    public Kind kind() {
        return kind;
    }
}
