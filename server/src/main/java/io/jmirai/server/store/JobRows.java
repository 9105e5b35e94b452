package io.jmirai.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The store's SQL, as plain static methods over a connection the caller owns (and commits): {@link JobStore} holds
 * the locks and transactions, this class only reads and writes rows. See {@link Schema} for the tables.
 */
final class JobRows {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private JobRows() {}

    /** A job's row. */
    record Job(long jid, String id, long createdMs, int total, JobState state, int done, int failed) {
        JobInfo info() {
            return new JobInfo(id, Instant.ofEpochMilli(createdMs), total, done, failed, state);
        }

        void checkIndex(int index) {
            if (index < 0 || index >= total) {
                throw new IllegalArgumentException("task index out of range: job=" + id + ", index=" + index
                        + " (expected: 0 <= index < " + total + ")");
            }
        }
    }

    static String checkJobId(String id) {
        if (!JOB_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid job id: \"" + id
                    + "\" (expected: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return id;
    }

    static String checkFileName(String name) {
        boolean bad = name.isEmpty()
                || name.length() > 4096
                || name.startsWith("/")
                || name.indexOf('\0') >= 0
                || name.indexOf('\\') >= 0;
        for (String segment : name.split("/", -1)) {
            bad |= segment.isEmpty() || segment.equals("..") || segment.equals(".");
        }
        if (bad) {
            throw new IllegalArgumentException("invalid output file name: \"" + name
                    + "\" (expected: a relative path with '/' separators, no empty, '.' or '..' segment)");
        }
        return name;
    }

    /** Inserts a new job, SUBMITTING; a null id gets a generated one. */
    static Job newJob(Connection c, String jobId, int total) throws SQLException {
        String id = jobId == null ? generatedId(c) : checkJobId(jobId);
        if (find(c, id) != null) {
            throw new IllegalArgumentException("job id already in use: " + id);
        }
        return insert(c, id, total, System.currentTimeMillis());
    }

    private static String generatedId(Connection c) throws SQLException {
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = "job-" + ID_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
                    + String.format("%06x", RANDOM.nextInt(1 << 24));
            if (find(c, id) == null) {
                return id;
            }
        }
        throw new IllegalStateException("cannot generate a free job id after 100 attempts");
    }

    static JobInfo seal(Connection c, Job job) throws SQLException {
        if (job.state() != JobState.SUBMITTING) {
            return job.info();
        }
        int stored = countTasks(c, job.jid());
        if (stored != job.total()) {
            throw new IllegalStateException(
                    "job has " + stored + " of its " + job.total() + " task payloads: job=" + job.id());
        }
        setState(c, job.jid(), job.total() == 0 ? JobState.COMPLETE : JobState.RUNNING);
        return require(c, job.id()).info();
    }

    static Job find(Connection c, String id) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("SELECT jid, id, created_ms, total, state, done, failed FROM job WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? job(rs) : null;
            }
        }
    }

    static Job require(Connection c, String id) throws SQLException {
        Job job = find(c, id);
        if (job == null) {
            throw new UnknownJobException(id);
        }
        return job;
    }

    static List<JobInfo> all(Connection c) throws SQLException {
        List<JobInfo> jobs = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
                        "SELECT jid, id, created_ms, total, state, done, failed FROM job ORDER BY created_ms, jid");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                jobs.add(job(rs).info());
            }
        }
        return jobs;
    }

    private static Job job(ResultSet rs) throws SQLException {
        return new Job(
                rs.getLong(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getInt(4),
                JobState.fromCode(rs.getInt(5)),
                rs.getInt(6),
                rs.getInt(7));
    }

    static Job insert(Connection c, String id, int total, long createdMs) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO job(id, created_ms, total, state) VALUES (?, ?, ?, ?)",
                PreparedStatement.RETURN_GENERATED_KEYS)) {
            p.setString(1, id);
            p.setLong(2, createdMs);
            p.setInt(3, total);
            p.setInt(4, JobState.SUBMITTING.code());
            p.executeUpdate();
        }
        return require(c, id);
    }

    static void insertTasks(Connection c, Job job, int firstIndex, List<byte[]> payloads) throws SQLException {
        if (firstIndex < 0 || (long) firstIndex + payloads.size() > job.total()) {
            throw new IllegalArgumentException("task indices out of range: job=" + job.id() + ", first=" + firstIndex
                    + ", count=" + payloads.size() + " (expected: within 0.." + job.total() + ")");
        }
        try (PreparedStatement p =
                c.prepareStatement("INSERT OR REPLACE INTO task(jid, idx, payload) VALUES (?, ?, ?)")) {
            for (int i = 0; i < payloads.size(); i++) {
                p.setLong(1, job.jid());
                p.setInt(2, firstIndex + i);
                p.setBytes(3, payloads.get(i));
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    static int countTasks(Connection c, long jid) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM task WHERE jid = ?")) {
            p.setLong(1, jid);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static void setState(Connection c, long jid, JobState state) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE job SET state = ? WHERE jid = ?")) {
            p.setInt(1, state.code());
            p.setLong(2, jid);
            p.executeUpdate();
        }
    }

    static List<PendingTask> pending(Connection c, long jid, int fromIndex, int limit) throws SQLException {
        List<PendingTask> tasks = new ArrayList<>();
        try (PreparedStatement p =
                c.prepareStatement("SELECT idx, payload FROM task WHERE jid = ? AND idx >= ? ORDER BY idx LIMIT ?")) {
            p.setLong(1, jid);
            p.setInt(2, fromIndex);
            p.setInt(3, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    tasks.add(new PendingTask(rs.getInt(1), rs.getBytes(2)));
                }
            }
        }
        return tasks;
    }

    private static boolean hasResult(Connection c, long jid, int index) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM result WHERE jid = ? AND idx = ?")) {
            p.setLong(1, jid);
            p.setInt(2, index);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Stores a task's result and output files, drops its payload, counts it in its job: all or nothing in the
     * caller's transaction. A second result for the same task is not read.
     */
    static StoreOutcome insertResult(
            Connection c, String jobId, int index, ResultStatus status, InputStream value, List<NewOutputFile> files)
            throws SQLException, IOException {
        Job job = find(c, jobId);
        if (job == null) {
            return StoreOutcome.UNKNOWN_JOB;
        }
        job.checkIndex(index);
        Set<String> names = new HashSet<>();
        for (NewOutputFile f : files) {
            if (!names.add(checkFileName(f.name()))) {
                throw new IllegalArgumentException(
                        "output file named twice: job=" + jobId + ", index=" + index + ", name=" + f.name());
            }
        }
        if (job.state() == JobState.SUBMITTING) {
            throw new IllegalStateException("job is still being submitted, no result can be stored: job=" + jobId);
        }
        if (hasResult(c, job.jid(), index)) {
            return StoreOutcome.DUPLICATE;
        }
        Chunks.Written written;
        try (PreparedStatement chunk =
                c.prepareStatement("INSERT INTO result_chunk(jid, idx, seq, data) VALUES (?, ?, ?, ?)")) {
            chunk.setLong(1, job.jid());
            chunk.setInt(2, index);
            written = Chunks.write(chunk, 2, value);
        }
        for (NewOutputFile f : files) {
            insertFile(c, job.jid(), index, f);
        }
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO result(jid, idx, status, size, crc) VALUES (?, ?, ?, ?, ?)")) {
            p.setLong(1, job.jid());
            p.setInt(2, index);
            p.setInt(3, status.code());
            p.setLong(4, written.size());
            p.setInt(5, written.crc());
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM task WHERE jid = ? AND idx = ?")) {
            p.setLong(1, job.jid());
            p.setInt(2, index);
            p.executeUpdate();
        }
        String column = status == ResultStatus.VALUE ? "done" : "failed";
        try (PreparedStatement p = c.prepareStatement("UPDATE job SET " + column + " = " + column + " + 1,"
                + " state = CASE WHEN done + failed + 1 >= total THEN ? ELSE state END WHERE jid = ?")) {
            p.setInt(1, JobState.COMPLETE.code());
            p.setLong(2, job.jid());
            p.executeUpdate();
        }
        return StoreOutcome.STORED;
    }

    private static void insertFile(Connection c, long jid, int index, NewOutputFile f)
            throws SQLException, IOException {
        String name = checkFileName(f.name());
        Chunks.Written written;
        try (PreparedStatement chunk =
                c.prepareStatement("INSERT INTO output_chunk(jid, idx, name, seq, data) VALUES (?, ?, ?, ?, ?)")) {
            chunk.setLong(1, jid);
            chunk.setInt(2, index);
            chunk.setString(3, name);
            written = Chunks.write(chunk, 3, f.content());
        }
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO output_file(jid, idx, name, size, crc) VALUES (?, ?, ?, ?, ?)")) {
            p.setLong(1, jid);
            p.setInt(2, index);
            p.setString(3, name);
            p.setLong(4, written.size());
            p.setInt(5, written.crc());
            p.executeUpdate();
        }
    }

    static List<OutputFileInfo> files(Connection c, long jid) throws SQLException {
        List<OutputFileInfo> files = new ArrayList<>();
        try (PreparedStatement p =
                c.prepareStatement("SELECT idx, name, size FROM output_file WHERE jid = ? ORDER BY idx, name")) {
            p.setLong(1, jid);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    files.add(new OutputFileInfo(rs.getInt(1), rs.getString(2), rs.getLong(3)));
                }
            }
        }
        return files;
    }

    /** {size, crc} of one output file, or null. */
    static long[] file(Connection c, long jid, int index, String name) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("SELECT size, crc FROM output_file WHERE jid = ? AND idx = ? AND name = ?")) {
            p.setLong(1, jid);
            p.setInt(2, index);
            p.setString(3, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getInt(2)} : null;
            }
        }
    }

    /** Deletes the job and everything stored for it. */
    static void delete(Connection c, long jid) throws SQLException {
        for (String table : new String[] {"output_chunk", "output_file", "result_chunk", "result", "task", "job"}) {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE jid = ?")) {
                p.setLong(1, jid);
                p.executeUpdate();
            }
        }
    }
}
