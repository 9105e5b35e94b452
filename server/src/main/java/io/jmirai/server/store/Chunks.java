package io.jmirai.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Large values as rows of at most {@value #CHUNK} bytes, so that neither writing nor reading holds a whole value in
 * the heap (xerial's JDBC driver has no incremental blob I/O: {@code setBinaryStream} and {@code getBinaryStream}
 * copy the whole blob into a {@code byte[]}). A CRC-32C and the length are stored with each value and checked when
 * it has been read to the end, so damage inside a blob (which SQLite does not notice) is reported, not returned:
 * as an {@link IOException} (the stream's contract) whose cause is a {@link StoreException} naming the file.
 */
final class Chunks {
    /** Bytes per chunk row. 256 KiB: few rows per MB, small enough that a chunk costs little heap. */
    static final int CHUNK = 256 * 1024;

    private Chunks() {}

    /** Length and CRC-32C of what {@link #write} stored. */
    record Written(long size, int crc) {}

    /**
     * Reads {@code in} to its end and inserts it as chunk rows; {@code insert} has the key columns bound from
     * parameter 1 and takes {@code seq} and {@code data} as its last two parameters ({@code keys} of them before).
     */
    static Written write(PreparedStatement insert, int keys, InputStream in) throws SQLException, IOException {
        byte[] buf = new byte[CHUNK];
        CRC32C crc = new CRC32C();
        long size = 0;
        for (int seq = 0; ; seq++) {
            int n = in.readNBytes(buf, 0, CHUNK);
            if (n == 0 && seq > 0) {
                break;
            }
            crc.update(buf, 0, n);
            size += n;
            insert.setInt(keys + 1, seq);
            // The driver binds the whole array, so a short last chunk needs an array of its own length.
            insert.setBytes(keys + 2, n == CHUNK ? buf : Arrays.copyOf(buf, n));
            insert.executeUpdate();
            if (n < CHUNK) {
                break;
            }
        }
        return new Written(size, (int) crc.getValue());
    }

    /**
     * The chunks selected by {@code select} (rows of one column {@code data}, in {@code seq} order) as one stream.
     * Closing it closes the statement; {@code onClose} then runs once (e.g. gives the connection back). Not
     * thread-safe.
     */
    static InputStream read(PreparedStatement select, long size, int crc, String what, Path path, Runnable onClose)
            throws SQLException {
        return new ChunkStream(select, select.executeQuery(), size, crc, what, path, onClose);
    }

    private static final class ChunkStream extends InputStream {
        private final PreparedStatement select;
        private final ResultSet rows;
        private final long size;
        private final int expectedCrc;
        private final String what;
        private final Path path;
        private final Runnable onClose;
        private final CRC32C crc = new CRC32C();
        private byte[] chunk = new byte[0];
        private int pos;
        private long read;
        private boolean eof;
        private boolean closed;

        ChunkStream(
                PreparedStatement select,
                ResultSet rows,
                long size,
                int crc,
                String what,
                Path path,
                Runnable onClose) {
            this.select = select;
            this.rows = rows;
            this.size = size;
            this.expectedCrc = crc;
            this.what = what;
            this.path = path;
            this.onClose = onClose;
        }

        private boolean fill() throws IOException {
            if (closed) {
                throw new IOException("stream closed: " + what);
            }
            while (pos == chunk.length) {
                if (eof) {
                    return false;
                }
                try {
                    if (!rows.next()) {
                        eof = true;
                        if (read != size || (int) crc.getValue() != expectedCrc) {
                            String facts = what + ", expected size=" + size + " crc="
                                    + Integer.toHexString(expectedCrc) + ", read size=" + read + " crc="
                                    + Integer.toHexString((int) crc.getValue());
                            throw new IOException(
                                    "stored value damaged: " + facts,
                                    new StoreException(
                                            "stored value damaged: " + facts, path, StoreException.Kind.CORRUPT, null));
                        }
                        return false;
                    }
                    chunk = rows.getBytes(1);
                } catch (SQLException e) {
                    throw new IOException(
                            "cannot read stored value: " + what + ": " + e.getMessage(),
                            StoreException.of("read of " + what, path, e));
                }
                if (chunk == null) {
                    chunk = new byte[0];
                }
                pos = 0;
                read += chunk.length;
                crc.update(chunk, 0, chunk.length);
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                rows.close();
                select.close();
            } catch (SQLException e) {
                throw new UncheckedIOException(new IOException("cannot close stored value: " + what, e));
            } finally {
                onClose.run();
            }
        }
    }
}
