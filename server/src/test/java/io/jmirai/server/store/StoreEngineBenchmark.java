package io.jmirai.server.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How the store's engine was chosen: the job store's workload, as raw JDBC on the same schema, against SQLite
 * (xerial sqlite-jdbc, WAL with {@code synchronous=FULL} and with {@code NORMAL}) and H2 (MVStore), plus a kill -9
 * recovery check with a real child JVM. A program, not a test (run it by hand; numbers go to server/README.md):
 *
 * <pre>
 * mvn -q -B -ntp -pl server -am test-compile
 * java -cp "server/target/test-classes:$(cat server/target/cp.txt)" io.jmirai.server.store.StoreEngineBenchmark \
 *     [dir [ENGINE,ENGINE...]]
 * </pre>
 *
 * ({@code cp.txt} from {@code mvn -q -pl server dependency:build-classpath -Dmdep.outputFile=target/cp.txt}.)
 * Single-threaded; every loop is bounded in count.
 */
public final class StoreEngineBenchmark {
    /** Bytes per chunk row: a result is stored as rows of at most this many bytes, one transaction per result. */
    static final int CHUNK = 256 * 1024;

    enum Engine {
        SQLITE_WAL_FULL,
        SQLITE_WAL_NORMAL,
        H2,
        H2_WRITE_DELAY_0
    }

    private StoreEngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("write")) {
            writeForever(Engine.valueOf(args[1]), Path.of(args[2]));
            return;
        }
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("store-bench");
        PrintStream out = System.out;
        out.printf(
                Locale.ROOT,
                "cores=%d load=%s java=%s%n",
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim(),
                System.getProperty("java.version"));
        List<Engine> engines = new ArrayList<>();
        for (String name :
                (args.length > 1 ? args[1] : "SQLITE_WAL_FULL,SQLITE_WAL_NORMAL,H2,H2_WRITE_DELAY_0").split(",")) {
            engines.add(Engine.valueOf(name));
        }
        for (Engine engine : engines) {
            Path d = Files.createDirectories(dir.resolve(engine.name().toLowerCase(Locale.ROOT)));
            try (Connection c = open(engine, d)) {
                schema(c);
                // warm-up, not reported
                smallResults(c, engine, 0, 200);
                double small = smallResults(c, engine, 1_000, 2_000);
                double large = largeResults(c, engine, 100_000, 40);
                double readLarge = readLarge(c, 100_000, 40);
                double batch = batchPayloads(c, 10_000);
                out.printf(
                        Locale.ROOT,
                        "%-18s small(100 B) %8.0f results/s | 1 MiB %6.1f results/s | read 1 MB %7.1f MB/s"
                                + " | 10,000 payloads in one tx %6.0f ms%n",
                        engine,
                        small,
                        large,
                        readLarge,
                        batch);
            }
            for (int round = 0; round < 3; round++) {
                out.printf(Locale.ROOT, "%-18s kill -9 round %d: %s%n", engine, round, killAndRecover(engine, d));
            }
        }
    }

    static Connection open(Engine engine, Path dir) throws SQLException {
        switch (engine) {
            case H2:
                return DriverManager.getConnection(
                        "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath());
            case H2_WRITE_DELAY_0:
                return DriverManager.getConnection(
                        "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + ";WRITE_DELAY=0");
            case SQLITE_WAL_FULL:
            case SQLITE_WAL_NORMAL:
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=" + (engine == Engine.SQLITE_WAL_FULL ? "FULL" : "NORMAL"));
                    s.execute("PRAGMA busy_timeout=10000");
                }
                return c;
            default:
                throw new IllegalArgumentException("engine: " + engine);
        }
    }

    static void schema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS task(job INTEGER NOT NULL, idx INTEGER NOT NULL, payload BLOB,"
                    + " PRIMARY KEY(job, idx))");
            s.execute("CREATE TABLE IF NOT EXISTS result(job INTEGER NOT NULL, idx INTEGER NOT NULL,"
                    + " status INTEGER NOT NULL, size BIGINT NOT NULL, PRIMARY KEY(job, idx))");
            s.execute("CREATE TABLE IF NOT EXISTS result_chunk(job INTEGER NOT NULL, idx INTEGER NOT NULL,"
                    + " seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(job, idx, seq))");
        }
        c.setAutoCommit(false);
    }

    /** One result, chunked, in one transaction; durable (as the engine defines it) when this returns. */
    static void putResult(Connection c, int job, int idx, byte[] data) throws SQLException {
        try (PreparedStatement r =
                        c.prepareStatement("INSERT INTO result(job, idx, status, size) VALUES (?, ?, 0, ?)");
                PreparedStatement ch =
                        c.prepareStatement("INSERT INTO result_chunk(job, idx, seq, data) VALUES (?, ?, ?, ?)")) {
            r.setInt(1, job);
            r.setInt(2, idx);
            r.setLong(3, data.length);
            r.executeUpdate();
            for (int off = 0, seq = 0; off < data.length; off += CHUNK, seq++) {
                ch.setInt(1, job);
                ch.setInt(2, idx);
                ch.setInt(3, seq);
                ch.setBytes(4, Arrays.copyOfRange(data, off, Math.min(data.length, off + CHUNK)));
                ch.executeUpdate();
            }
            c.commit();
        }
    }

    static byte[] content(int idx, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) idx);
        return b;
    }

    static int sizeOf(int idx) {
        return idx % 4 == 3 ? 1 << 20 : 100;
    }

    private static double smallResults(Connection c, Engine engine, int job, int n) throws SQLException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            putResult(c, job, i, content(i, 100));
        }
        return n / seconds(t0);
    }

    private static double largeResults(Connection c, Engine engine, int job, int n) throws SQLException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            putResult(c, job, i, content(i, 1 << 20));
        }
        return n / seconds(t0);
    }

    private static double readLarge(Connection c, int job, int n) throws SQLException {
        long t0 = System.nanoTime();
        long bytes = 0;
        try (PreparedStatement p = c.prepareStatement("SELECT data FROM result_chunk WHERE job=? ORDER BY idx, seq")) {
            p.setInt(1, job);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    bytes += rs.getBytes(1).length;
                }
            }
        }
        c.commit();
        if (bytes != (long) n << 20) {
            throw new IllegalStateException("read " + bytes + " bytes, expected " + ((long) n << 20));
        }
        return bytes / 1e6 / seconds(t0);
    }

    private static double batchPayloads(Connection c, int n) throws SQLException {
        byte[] payload = new byte[100];
        long t0 = System.nanoTime();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO task(job, idx, payload) VALUES (?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                p.setInt(1, 7);
                p.setInt(2, i);
                p.setBytes(3, payload);
                p.addBatch();
            }
            p.executeBatch();
        }
        c.commit();
        return seconds(t0) * 1000;
    }

    /** The child: results of 100 B and 1 MB in turn, printing {@code ack i} after each commit, until killed. */
    private static void writeForever(Engine engine, Path dir) throws SQLException {
        try (Connection c = open(engine, dir)) {
            schema(c);
            for (int i = 0; i < 1_000_000; i++) {
                putResult(c, 9, i, content(i, sizeOf(i)));
                System.out.println("ack " + i);
                System.out.flush();
            }
        }
    }

    /** Starts the child, kills it with SIGKILL after 1.5 s of acks, reopens and checks every acked result. */
    private static String killAndRecover(Engine engine, Path dir) throws Exception {
        try (Connection c = open(engine, dir);
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM result WHERE job=9");
            s.execute("DELETE FROM result_chunk WHERE job=9");
        }
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        StoreEngineBenchmark.class.getName(),
                        "write",
                        engine.name(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        List<Integer> acked = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long first = 0;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acked.add(Integer.parseInt(line.substring(4)));
                    if (first == 0) {
                        first = System.nanoTime();
                    } else if (System.nanoTime() - first > 1_500_000_000L) {
                        break;
                    }
                }
            }
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        long t0 = System.nanoTime();
        int lost = 0;
        int found = 0;
        try (Connection c = open(engine, dir)) {
            double reopenMs = seconds(t0) * 1000;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT r.size, (SELECT SUM(LENGTH(data)) FROM result_chunk k WHERE k.job=r.job AND k.idx=r.idx)"
                            + " FROM result r WHERE r.job=9 AND r.idx=?")) {
                for (int idx : acked) {
                    p.setInt(1, idx);
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next() && rs.getLong(1) == sizeOf(idx) && rs.getLong(2) == sizeOf(idx)) {
                            found++;
                        } else {
                            lost++;
                        }
                    }
                }
            }
            int stored;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM result WHERE job=9")) {
                rs.next();
                stored = rs.getInt(1);
            }
            return String.format(
                    Locale.ROOT,
                    "acked=%d intact=%d lost=%d stored=%d reopen=%.0f ms",
                    acked.size(),
                    found,
                    lost,
                    stored,
                    reopenMs);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
