package io.jmirai.server.store;

/**
 * How a {@link JobStore} is opened. Immutable.
 *
 * @param durability what a returned write survives
 * @param maxBytes the largest the database file may grow, in bytes, or 0 for no limit other than the disk; a write
 *     that would pass it fails with {@link StoreException.Kind#FULL}, as a full disk does
 */
public record StoreOptions(Durability durability, long maxBytes) {
    public StoreOptions {
        if (durability == null) {
            throw new NullPointerException("durability");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes : " + maxBytes + " (expected: >= 0)");
        }
    }

    /** {@link Durability#SYNC}, no size limit. */
    public static StoreOptions defaults() {
        return new StoreOptions(Durability.SYNC, 0);
    }

    public StoreOptions durability(Durability d) {
        return new StoreOptions(d, maxBytes);
    }

    public StoreOptions maxBytes(long bytes) {
        return new StoreOptions(durability, bytes);
    }
}
