package io.jmirai;

import io.jmirai.api.ReduceFunction;
import io.jmirai.api.internal.TaskOutput;
import io.jmirai.dispatcher.ClientCalls;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.transport.serial.KryoCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A handle on a job stored on a server ({@link Daemons#submitJob}, {@link Daemons#job}): its results outlive the
 * session that submitted it, and any client holding the server's credentials can fetch them by id, from any JVM, at
 * any later time. The handle holds nothing but the id: every call asks the server. Results are values, or {@link
 * ErrorValue}s (a {@link MiraiError} if the task threw), in item order, as {@link MiraiMap#collect()} gives them.
 * Thread-safe.
 *
 * <pre>{@code
 * Job<Integer> job = server.submitJob("squares", List.of(1, 2, 3), x -> x * x); // stored on return
 * // ... later, from any client of that server:
 * List<Object> squares = server.job("squares").results(Duration.ofMinutes(5));   // [1, 4, 9]
 * }</pre>
 *
 * @param <R> the type of the results
 */
public final class Job<R> {
    /** A page of fetched results is at most this big (the server sends at least one result per page). */
    static final int PAGE_BYTES = 8 * 1024 * 1024;
    /** Added to a request's own wait: how long the server has to answer on top of it. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final ServerSession daemons;
    private final String id;
    private final KryoCodec codec;

    Job(ServerSession daemons, String id, KryoCodec codec) {
        this.daemons = daemons;
        this.id = id;
        this.codec = codec;
    }

    /** @return the job's id */
    public String id() {
        return id;
    }

    /**
     * @return where its tasks are now
     * @throws IllegalStateException if the server has no such job (deleted), or does not answer
     */
    public JobStatus status() {
        ClientCalls.In in = new ClientCalls.In(
                daemons.call(ClientCalls.JOB, new ClientCalls.Out().str(id).toBytes(), SLACK));
        JobSummary s = summary(in);
        int running = in.i32();
        int unresolved = s.total() - s.done() - s.failed();
        running = Math.min(running, unresolved);
        return new JobStatus(s.total(), unresolved - running, running, s.done(), s.failed());
    }

    /**
     * Waits (at most {@code timeout}) until every task has a stored result, then fetches them all.
     *
     * @return each task's value or {@link ErrorValue}, in item order
     * @throws TimeoutException if some task has no result after {@code timeout} (nothing is cancelled)
     * @throws IllegalStateException if the server has no such job, or does not answer
     */
    public List<Object> results(Duration timeout) throws TimeoutException {
        awaitComplete(timeout);
        return fetch();
    }

    /**
     * @return what is stored so far, without waiting: in item order, {@link Mirai#UNRESOLVED} for a task with no
     *     result yet
     */
    public List<Object> fetch() {
        List<Object> out = new ArrayList<>();
        forEachStored((index, value) -> {
            while (out.size() < index) {
                out.add(Mirai.UNRESOLVED);
            }
            out.add(value);
        });
        int total = status().total();
        while (out.size() < total) {
            out.add(Mirai.UNRESOLVED);
        }
        return out;
    }

    /**
     * Waits for every result as {@link #results} does, then deletes the job on the server (AzureClusterlessHPC's
     * {@code fetch!}): if fetching fails, nothing is deleted.
     *
     * @throws TimeoutException if some task has no result after {@code timeout} (nothing is deleted)
     */
    public List<Object> fetchAndDelete(Duration timeout) throws TimeoutException {
        List<Object> out = results(timeout);
        delete();
        return out;
    }

    /**
     * Deletes the job on the server: stops its tasks still queued or running, and removes every stored payload and
     * result.
     *
     * @return false if there was no such job
     */
    public boolean delete() {
        ClientCalls.In in = new ClientCalls.In(daemons.call(
                ClientCalls.DELETE_JOB, new ClientCalls.Out().str(id).toBytes(), SLACK));
        return in.i32() != 0;
    }

    /**
     * Waits (at most {@code timeout}) until the job is complete, then combines its results in item order as they are
     * fetched, page by page, never holding them all (AzureClusterlessHPC's {@code fetchreduce}).
     *
     * <pre>{@code
     * long sum = job.reduce(0L, Long::sum, Duration.ofMinutes(5));
     * }</pre>
     *
     * @return {@code identity} combined with every result, in item order
     * @throws MiraiException at the first result that is an error
     * @throws TimeoutException if the job is not complete after {@code timeout}
     */
    @SuppressWarnings("unchecked")
    public R reduce(R identity, ReduceFunction<R> op, Duration timeout) throws TimeoutException {
        Objects.requireNonNull(op, "op");
        awaitComplete(timeout);
        Object[] acc = {identity};
        forEachStored((index, value) -> {
            if (value instanceof ErrorValue e) {
                throw new MiraiException(e);
            }
            try {
                acc[0] = op.apply((R) acc[0], (R) value);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("reduce failed at index " + index + ": " + e, e);
            }
        });
        return (R) acc[0];
    }

    private void awaitComplete(Duration timeout) throws TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        byte[] args = new ClientCalls.Out().str(id).i64(timeout.toMillis()).toBytes();
        JobSummary s = summary(new ClientCalls.In(daemons.call(ClientCalls.AWAIT_JOB, args, timeout.plus(SLACK))));
        if (s.done() + s.failed() < s.total()) {
            throw new TimeoutException("job not complete after " + timeout + ": job=" + id + ", total=" + s.total()
                    + ", done=" + s.done() + ", failed=" + s.failed());
        }
    }

    /** What to do with each stored result. */
    private interface Each<T> {
        void accept(int index, T value);
    }

    /** Fetches the stored results page by page, in item order, decoding each. */
    private void forEachStored(Each<Object> each) {
        forEachStoredRaw((index, stored) -> each.accept(index, decode(index, stored)));
    }

    /** Fetches the stored results page by page, in item order, as stored (flags byte, then the payload). */
    private void forEachStoredRaw(Each<byte[]> each) {
        int from = 0;
        while (from >= 0) {
            byte[] args =
                    new ClientCalls.Out().str(id).i32(from).i32(PAGE_BYTES).toBytes();
            ClientCalls.In in = new ClientCalls.In(daemons.call(ClientCalls.FETCH, args, SLACK));
            int n = in.i32();
            for (int i = 0; i < n; i++) {
                int index = in.i32();
                each.accept(index, in.bytes());
            }
            from = in.i32();
        }
    }

    /** A stored result: the RESULT frame's flags and payload, or an error the server gave the task itself. */
    private Object decode(int index, byte[] stored) {
        if (stored.length == 0) {
            return new ErrorValue(ErrorValue.TASK_ERROR, "empty stored result: index=" + index);
        }
        int flags = stored[0] & 0xFF;
        if (flags == ClientCalls.SERVER_ERROR_FLAGS) {
            ClientCalls.In in = new ClientCalls.In(Arrays.copyOfRange(stored, 1, stored.length));
            int code = in.i32();
            return new ErrorValue(code, new String(in.rest(), StandardCharsets.UTF_8));
        }
        Object value = raw(index, flags, stored);
        return value instanceof TaskOutput out ? out.value() : value;
    }

    private Object raw(int index, int flags, byte[] stored) {
        Mirai<Object> m = new Mirai<>(index, codec);
        m.resolve(new Outcome.Result(flags, Arrays.copyOfRange(stored, 1, stored.length)));
        return m.data();
    }

    /**
     * Downloads the files the job's tasks left ({@link MapOptions#outputFiles(String)}): task {@code i}'s file {@code
     * name} goes to {@code dir/i/name} (directories made as needed). Only tasks done so far have files.
     *
     * @return the files written, by task then name
     * @throws java.io.UncheckedIOException if a file cannot be written
     * @throws IllegalArgumentException if a stored name would leave its directory
     */
    public List<java.nio.file.Path> outputFiles(java.nio.file.Path dir) {
        Objects.requireNonNull(dir, "dir");
        List<java.nio.file.Path> written = new ArrayList<>();
        forEachStoredRaw((index, stored) -> {
            int flags = stored.length == 0 ? ClientCalls.SERVER_ERROR_FLAGS : stored[0] & 0xFF;
            if (flags != ClientCalls.SERVER_ERROR_FLAGS && raw(index, flags, stored) instanceof TaskOutput out) {
                written.addAll(write(dir.resolve(Integer.toString(index)), out));
            }
        });
        return written;
    }

    private static List<java.nio.file.Path> write(java.nio.file.Path taskDir, TaskOutput out) {
        List<java.nio.file.Path> written = new ArrayList<>();
        java.nio.file.Path base = taskDir.toAbsolutePath().normalize();
        for (int i = 0; i < out.names().size(); i++) {
            java.nio.file.Path file = base.resolve(out.names().get(i)).normalize();
            if (!file.startsWith(base) || file.equals(base)) {
                throw new IllegalArgumentException(
                        "output file name leaves its directory: " + out.names().get(i));
            }
            try {
                java.nio.file.Files.createDirectories(file.getParent());
                java.nio.file.Files.write(file, out.contents().get(i));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write output file: " + file, e);
            }
            written.add(file);
        }
        return written;
    }

    /** Reads a job summary ({@link ClientCalls}). */
    static JobSummary summary(ClientCalls.In in) {
        return new JobSummary(in.str(), Instant.ofEpochMilli(in.i64()), in.i32(), in.i32(), in.i32(), in.str());
    }

    @Override
    public String toString() {
        return "Job[" + id + "]";
    }
}
