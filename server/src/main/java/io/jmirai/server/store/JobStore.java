package io.jmirai.server.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The durable job store: jobs, their task payloads, results and output files in one SQLite database file (WAL
 * mode), so that jobs outlive the server process. Results are stored <b>exactly once</b> per task even when a task
 * runs more than once (at-least-once execution after a crash or a lost daemon): the second result is dropped
 * ({@link StoreOutcome#DUPLICATE}). Values of any size are streamed in and out in chunks, never held whole in the
 * heap. A write is durable, as {@link StoreOptions#durability()} defines, when its method returns: acknowledge a
 * result to its daemon only then.
 *
 * <p>A restarted server resumes with {@link #jobs()} and {@link #pendingTasks}: the payloads of tasks with no
 * result, in item order.
 *
 * <p>Failures of the storage (disk full, corruption, I/O) are {@link StoreException}s naming the file; the store
 * stays open and serves whatever it still can. Only one {@code JobStore} may have a file open at a time (a lock file
 * {@code <file>.lock} keeps a second server off it, in this JVM or another).
 *
 * <p>Thread-safe: writes are serialised on one writer connection (SQLite has one writer at a time anyway); reads run
 * in parallel with them on pooled read connections. {@link ResultCursor}s and the streams this returns are for one
 * thread at a time.
 *
 * <p>(Over 400 lines because this is the store's whole public contract and its Javadoc; the SQL is in
 * {@link JobRows}, connections and transactions in {@link Connections}.)
 */
public final class JobStore implements AutoCloseable {
    private final Path path;
    private final StoreOptions options;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReaderPool readers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JobStore(Path path, StoreOptions options, FileChannel lockFile, FileLock lock, Connection writer) {
        this.path = path;
        this.options = options;
        this.lockFile = lockFile;
        this.lock = lock;
        this.writer = writer;
        this.readers = new ReaderPool(() -> Connections.reader(path));
    }

    /** Opens (creating if need be) the store at {@code file} with {@link StoreOptions#defaults()}. */
    public static JobStore open(Path file) {
        return open(file, StoreOptions.defaults());
    }

    /**
     * Opens the store at {@code file}, creating the file and its directory if need be, and migrating an older
     * schema. Fails with a {@link StoreException} if the file is not a job store, is corrupt, was written by a newer
     * jmirai, or is open in another {@code JobStore}.
     */
    public static JobStore open(Path file, StoreOptions options) {
        Objects.requireNonNull(options, "options");
        Path path = file.toAbsolutePath().normalize();
        FileChannel lockFile = null;
        Connection writer = null;
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            lockFile = FileChannel.open(
                    path.resolveSibling(path.getFileName() + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StoreException("store in use by another job store", path, StoreException.Kind.UNUSABLE, null);
            }
            writer = Connections.writer(path, options);
            Connections.inTransaction(writer, c -> {
                Schema.createOrMigrate(c, path);
                return null;
            });
            return new JobStore(path, options, lockFile, lock, writer);
        } catch (IOException e) {
            closeAll(writer, lockFile);
            throw new StoreException("cannot open store", path, StoreException.Kind.IO, e);
        } catch (SQLException e) {
            closeAll(writer, lockFile);
            throw StoreException.of("open", path, e);
        } catch (RuntimeException e) {
            closeAll(writer, lockFile);
            throw e;
        }
    }

    /** The database file. */
    public Path path() {
        return path;
    }

    /** The options it was opened with. */
    public StoreOptions options() {
        return options;
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    /**
     * Stores a whole job at once, in one transaction: {@code payloads.get(i)} is task {@code i}. Returns when every
     * payload is durable, the job {@link JobState#RUNNING} (or {@link JobState#COMPLETE} if it has no task).
     *
     * @param jobId the job's id, or null for a generated one
     * @throws IllegalArgumentException if the id is invalid or already in use (the message names it)
     */
    public JobInfo submitJob(String jobId, List<byte[]> payloads) {
        Objects.requireNonNull(payloads, "payloads");
        return write("submit job", c -> {
            JobRows.Job job = JobRows.newJob(c, jobId, payloads.size());
            JobRows.insertTasks(c, job, 0, payloads);
            return JobRows.seal(c, job);
        });
    }

    /**
     * Creates a job of {@code total} tasks whose payloads follow in {@link #addTasks} calls, then {@link #sealJob}:
     * for jobs too large to pass in one call. Until sealed it is {@link JobState#SUBMITTING}: no result can be
     * stored for it, and a server that restarts may delete it (its client was never told it was stored).
     */
    public JobInfo createJob(String jobId, int total) {
        if (total < 0) {
            throw new IllegalArgumentException("total : " + total + " (expected: >= 0)");
        }
        return write("create job", c -> JobRows.newJob(c, jobId, total).info());
    }

    /** Stores payloads of tasks {@code firstIndex ..} of a {@link JobState#SUBMITTING} job (again: replaces). */
    public void addTasks(String jobId, int firstIndex, List<byte[]> payloads) {
        Objects.requireNonNull(payloads, "payloads");
        write("add tasks", c -> {
            JobRows.Job job = JobRows.require(c, jobId);
            if (job.state() != JobState.SUBMITTING) {
                throw new IllegalStateException(
                        "job is no longer being submitted: job=" + jobId + ", state=" + job.state());
            }
            JobRows.insertTasks(c, job, firstIndex, payloads);
            return null;
        });
    }

    /** Ends a job's submission: every payload must be stored. Idempotent for a job already sealed. */
    public JobInfo sealJob(String jobId) {
        return write("seal job", c -> JobRows.seal(c, JobRows.require(c, jobId)));
    }

    /** The job, if the store has it. */
    public Optional<JobInfo> job(String jobId) {
        return read(
                "job " + jobId, c -> Optional.ofNullable(JobRows.find(c, jobId)).map(JobRows.Job::info));
    }

    /** Every job, oldest first. */
    public List<JobInfo> jobs() {
        return read("list jobs", JobRows::all);
    }

    /**
     * Up to {@code limit} tasks of the job that have no stored result, in item order from {@code fromIndex}: what a
     * restarted server sends again. Page through a large job by passing the last index + 1.
     *
     * @throws UnknownJobException if there is no such job
     */
    public List<PendingTask> pendingTasks(String jobId, int fromIndex, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0)");
        }
        return read(
                "pending tasks of " + jobId,
                c -> JobRows.pending(c, JobRows.require(c, jobId).jid(), fromIndex, limit));
    }

    /**
     * Deletes the job and every payload, result and output file stored for it. Results of its tasks that arrive
     * later are dropped ({@link StoreOutcome#UNKNOWN_JOB}).
     *
     * @return false if there was no such job
     */
    public boolean deleteJob(String jobId) {
        return write("delete job " + jobId, c -> {
            JobRows.Job job = JobRows.find(c, jobId);
            if (job != null) {
                JobRows.delete(c, job.jid());
            }
            return job != null;
        });
    }

    // ---- results ----------------------------------------------------------------------------------------------

    /** {@link #storeResult(String, int, ResultStatus, InputStream, List)} of a value in memory, no output files. */
    public StoreOutcome storeResult(String jobId, int index, ResultStatus status, byte[] value) {
        return storeResult(jobId, index, status, new ByteArrayInputStream(value), List.of());
    }

    /**
     * Stores the result of task {@code index} of a job and the output files collected from it, in one transaction,
     * reading {@code value} and the files to their ends (it does not close them). Durable when this returns. If the
     * task already has a result, nothing is read or changed ({@link StoreOutcome#DUPLICATE}).
     *
     * @throws IllegalArgumentException if {@code index} is not a task of the job, or a file name is invalid
     * @throws IllegalStateException if the job is still {@link JobState#SUBMITTING}
     * @throws UncheckedIOException if reading {@code value} or a file failed (then nothing is stored)
     */
    public StoreOutcome storeResult(
            String jobId, int index, ResultStatus status, InputStream value, List<NewOutputFile> files) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(files, "files");
        return write(
                "store result of job " + jobId + " index " + index,
                c -> JobRows.insertResult(c, jobId, index, status, value, files));
    }

    /**
     * Stores many small results in one transaction (one fsync for all under {@link Durability#SYNC}): what a server
     * does with the results that arrived while the previous write was syncing. All or nothing.
     *
     * @return the outcome of each, in order
     */
    public List<StoreOutcome> storeResults(List<NewResult> results) {
        Objects.requireNonNull(results, "results");
        return write("store " + results.size() + " results", c -> {
            List<StoreOutcome> outcomes = new ArrayList<>(results.size());
            for (NewResult r : results) {
                outcomes.add(JobRows.insertResult(
                        c, r.jobId(), r.index(), r.status(), new ByteArrayInputStream(r.value()), List.of()));
            }
            return outcomes;
        });
    }

    /**
     * The job's stored results in item order, from task {@code fromIndex} on: what is done so far, streamed (see
     * {@link ResultCursor}). Close the cursor.
     *
     * @throws UnknownJobException if there is no such job
     */
    public ResultCursor results(String jobId, int fromIndex) {
        checkOpen();
        Connection c = borrow("results of job " + jobId);
        try {
            c.setAutoCommit(false); // one snapshot for the cursor's result list and every value it streams
            JobRows.Job job = JobRows.require(c, jobId);
            return new ResultCursor(readers, c, path, jobId, job.jid(), fromIndex);
        } catch (SQLException e) {
            readers.giveBack(c);
            throw StoreException.of("results of job " + jobId, path, e);
        } catch (RuntimeException e) {
            readers.giveBack(c);
            throw e;
        }
    }

    /**
     * Fetch and delete in one step: passes the job's results (a cursor from index 0) to {@code reader}, then, if it
     * returned normally, deletes the job. If the reader or the store fails, nothing is deleted (fetch again).
     */
    public <T> T fetchAndDelete(String jobId, Function<ResultCursor, T> reader) {
        Objects.requireNonNull(reader, "reader");
        T value;
        try (ResultCursor cursor = results(jobId, 0)) {
            value = reader.apply(cursor);
        }
        deleteJob(jobId);
        return value;
    }

    // ---- output files -----------------------------------------------------------------------------------------

    /** The output files stored for the job, by task index then name. */
    public List<OutputFileInfo> outputFiles(String jobId) {
        return read(
                "output files of job " + jobId,
                c -> JobRows.files(c, JobRows.require(c, jobId).jid()));
    }

    /**
     * One output file's bytes, streamed from the store; the stream holds a read connection until closed. A damaged
     * file fails the read at its end with an {@link IOException}.
     *
     * @throws IllegalArgumentException if the job has no such file
     */
    public InputStream openOutputFile(String jobId, int index, String name) {
        checkOpen();
        String what = "job=" + jobId + ", index=" + index + ", name=" + name;
        Connection c = borrow("output file " + what);
        try {
            long[] sizeCrc = JobRows.file(c, JobRows.require(c, jobId).jid(), index, name);
            if (sizeCrc == null) {
                throw new IllegalArgumentException("no such output file: " + what);
            }
            PreparedStatement p = c.prepareStatement("SELECT o.data FROM output_chunk o JOIN job j ON j.jid = o.jid"
                    + " WHERE j.id = ? AND o.idx = ? AND o.name = ? ORDER BY o.seq");
            try {
                p.setString(1, jobId);
                p.setInt(2, index);
                p.setString(3, name);
                return Chunks.read(p, sizeCrc[0], (int) sizeCrc[1], what, path, () -> readers.giveBack(c));
            } catch (SQLException e) {
                p.close();
                throw e;
            }
        } catch (SQLException e) {
            readers.giveBack(c);
            throw StoreException.of("output file " + what, path, e);
        } catch (RuntimeException e) {
            readers.giveBack(c);
            throw e;
        }
    }

    // ---- properties -------------------------------------------------------------------------------------------

    /** A server setting kept across restarts (e.g. its secret or certificate), if stored. */
    public Optional<byte[]> property(String name) {
        Objects.requireNonNull(name, "name");
        return read("property " + name, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT value FROM property WHERE name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /** Stores (or replaces) a server setting; durable on return. */
    public void putProperty(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        write("put property " + name, c -> {
            try (PreparedStatement p =
                    c.prepareStatement("INSERT OR REPLACE INTO property(name, value) VALUES (?, ?)")) {
                p.setString(1, name);
                p.setBytes(2, value);
                p.executeUpdate();
            }
            return null;
        });
    }

    /**
     * SQLite's {@code quick_check} of the whole file: an empty list if it finds nothing wrong, else its findings.
     * Reads every page: seconds per gigabyte.
     */
    public List<String> check() {
        return read("check", c -> {
            List<String> problems = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                while (rs.next()) {
                    if (!"ok".equals(rs.getString(1))) {
                        problems.add(rs.getString(1));
                    }
                }
            }
            return problems;
        });
    }

    /** Closes the database (checkpointing its log) and releases the file. Idempotent. Open cursors keep working. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writeLock.lock();
        try {
            readers.close();
            closeAll(writer, null);
            try {
                lock.release();
            } catch (IOException e) {
                // The channel's close below releases it too.
            }
            closeAll(null, lockFile);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private <T> T write(String operation, Connections.SqlWork<T> work) {
        checkOpen();
        writeLock.lock();
        try {
            checkOpen();
            return Connections.inTransaction(writer, work);
        } catch (SQLException e) {
            throw StoreException.of(operation, path, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read what was to be stored: " + operation, e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T read(String operation, Connections.SqlWork<T> work) {
        checkOpen();
        Connection c = borrow(operation);
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw StoreException.of(operation, path, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            readers.giveBack(c);
        }
    }

    private Connection borrow(String operation) {
        try {
            return readers.borrow();
        } catch (SQLException e) {
            throw StoreException.of(operation, path, e);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("job store closed: path=" + path);
        }
    }

    private static void closeAll(Connection c, FileChannel channel) {
        if (c != null) {
            ReaderPool.closeQuietly(c);
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing is all that is left to do with it.
            }
        }
    }
}
