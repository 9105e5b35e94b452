package io.jmirai.server;

import io.jmirai.ErrorValue;
import io.jmirai.dispatcher.ClientCalls;
import io.jmirai.dispatcher.ClientService;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.dispatcher.TaskRecord;
import io.jmirai.server.store.JobInfo;
import io.jmirai.server.store.JobState;
import io.jmirai.server.store.JobStore;
import io.jmirai.server.store.NewResult;
import io.jmirai.server.store.PendingTask;
import io.jmirai.server.store.ResultCursor;
import io.jmirai.server.store.ResultStatus;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's jobs: stores a submitted job (every payload durable before the client is answered), runs its tasks
 * through the dispatcher, stores each result durably and only then counts the task done, and on start resumes every
 * job's tasks that have no stored result. Execution is at-least-once (a task whose daemon is lost, or that was
 * running when the server died, runs again) and storage exactly-once (the store keeps a task's first result).
 *
 * <p>Threading: requests run on one thread of their own ({@code jmirai-jobs}), never on the dispatcher's; task
 * outcomes arrive on the dispatcher's thread and only queue the result for the writer thread ({@code
 * jmirai-job-writer}), which stores what has queued up in one transaction (one fsync for the batch). State shared
 * between them is in concurrent maps.
 */
final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Runs of one task that end without a result (its daemon lost) before the server stores an error for it. */
    static final int MAX_RUNS = 3;

    private static final int PAGE = 1000;
    /** System property: at most this many tasks of one job in the dispatcher at once. */
    static final String WINDOW_PROP_NAME = "jmirai.server.job.window";
    /**
     * The default window: the rest of a job's tasks wait in the store and are read as results come in, so a job's
     * payloads are never all in the heap.
     */
    static final int WINDOW_DEFAULT = 10_000;

    private final int window = Math.max(1, Integer.getInteger(WINDOW_PROP_NAME, WINDOW_DEFAULT));

    private final JobStore store;
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> thread(r, "jmirai-jobs"));
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(r -> thread(r, "jmirai-job-timers"));
    private final BlockingQueue<Done> results = new LinkedBlockingQueue<>();
    private final Thread writer = thread(this::writeResults, "jmirai-job-writer");
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Dispatcher dispatcher;

    JobRunner(JobStore store) {
        this.store = store;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One job whose tasks are in the dispatcher: its records by index, and who waits for it to complete. */
    private static final class Running {
        final String id;
        final Map<Integer, TaskRecord> records = new ConcurrentHashMap<>();
        final Map<Integer, Integer> runs = new ConcurrentHashMap<>();
        final CompletableFuture<Void> complete = new CompletableFuture<>();
        volatile boolean deleted;
        /** Why results of this job could not be stored (disk full, a damaged store), or null. */
        volatile String storeFailure;

        /** The next task index to read from the store, and how many tasks the job has; guarded by this. */
        int nextIndex;

        final int total;

        Running(String id, int total) {
            this.id = id;
            this.total = total;
        }
    }

    /** A result to store: the job, the task, what to store. */
    private record Done(Running job, int index, NewResult result) {}

    /** Starts the writer and resumes the stored jobs (on the request thread). */
    void bind(Dispatcher d) {
        this.dispatcher = d;
        writer.start();
        requests.execute(this::resume);
    }

    private void resume() {
        for (JobInfo info : store.jobs()) {
            if (info.state() == JobState.SUBMITTING) { // its client was never told it was stored
                store.deleteJob(info.id());
                continue;
            }
            if (info.state() != JobState.RUNNING) {
                continue;
            }
            Running job = new Running(info.id(), info.total());
            running.put(job.id, job);
            LOG.info("job resumed: job={}, tasks without a result={}", info.id(), info.unresolved());
            feed(job);
        }
    }

    /**
     * Reads the job's next tasks without a result from the store and hands them to the dispatcher, up to the
     * window in the dispatcher at once; completes the job if nothing is left. Any thread but the dispatcher's.
     */
    private void feed(Running job) {
        synchronized (job) {
            while (!job.deleted && job.records.size() < window && job.nextIndex < job.total) {
                int limit = Math.min(PAGE, window - job.records.size());
                List<PendingTask> page = store.pendingTasks(job.id, job.nextIndex, limit);
                if (page.isEmpty()) {
                    job.nextIndex = job.total;
                    break;
                }
                for (PendingTask t : page) {
                    submit(job, t.index(), t.payload());
                }
                job.nextIndex = page.get(page.size() - 1).index() + 1;
            }
        }
        completeIfDone(job);
    }

    /** Hands task {@code index} of {@code job} to the dispatcher. */
    private void submit(Running job, int index, byte[] payload) {
        TaskRecord r = new TaskRecord(
                dispatcher.newTaskId(), Unpooled.wrappedBuffer(payload), o -> outcome(job, index, payload, o));
        job.records.put(index, r);
        dispatcher.submit(r);
    }

    /** On the dispatcher's thread: a task ended. A result goes to the writer; a lost daemon means another run. */
    private void outcome(Running job, int index, byte[] payload, Outcome o) {
        if (job.deleted || closed.get()) {
            job.records.remove(index);
            return;
        }
        if (o instanceof Outcome.Result r) {
            boolean error = (r.flags() & ~io.jmirai.transport.protocol.FrameType.Flags.RESULT_LAST) != 0;
            byte[] value = new byte[1 + r.bytes().length];
            value[0] = (byte) (r.flags() & ~io.jmirai.transport.protocol.FrameType.Flags.RESULT_LAST);
            System.arraycopy(r.bytes(), 0, value, 1, r.bytes().length);
            results.add(new Done(
                    job, index, new NewResult(job.id, index, error ? ResultStatus.ERROR : ResultStatus.VALUE, value)));
            return;
        }
        if (o instanceof Outcome.Failure f && f.code() == ErrorValue.CANCELED) {
            job.records.remove(index); // stopped by a delete
            return;
        }
        int runs = job.runs.merge(index, 1, Integer::sum);
        String why = o instanceof Outcome.Failure f
                ? f.message()
                : o instanceof Outcome.Lost l ? l.message() : ((Outcome.RetriesExhausted) o).message();
        if (runs < MAX_RUNS && !(o instanceof Outcome.Failure f2 && f2.code() != ErrorValue.CONNECTION_RESET)) {
            LOG.info("job task runs again: job={}, index={}, run={}, because={}", job.id, index, runs + 1, why);
            submit(job, index, payload);
            return;
        }
        int code = o instanceof Outcome.Failure f ? f.code() : ErrorValue.CONNECTION_RESET;
        byte[] text = (why + " (run " + runs + " of " + MAX_RUNS + ")").getBytes(StandardCharsets.UTF_8);
        byte[] value = new ClientCalls.Out()
                .u8(ClientCalls.SERVER_ERROR_FLAGS)
                .i32(code)
                .raw(text)
                .toBytes();
        results.add(new Done(job, index, new NewResult(job.id, index, ResultStatus.ERROR, value)));
    }

    /** A stored job starts running: its first window of tasks goes to the dispatcher. */
    private void start(JobInfo info) {
        Running job = new Running(info.id(), info.total());
        running.put(job.id, job);
        feed(job);
    }

    /** The writer thread: stores what has queued up in one transaction, then counts those tasks done. */
    private void writeResults() {
        List<Done> batch = new ArrayList<>();
        while (!closed.get()) {
            try {
                batch.add(results.take());
            } catch (InterruptedException e) {
                return;
            }
            results.drainTo(batch, 255);
            List<NewResult> rows = new ArrayList<>(batch.size());
            for (Done d : batch) {
                rows.add(d.result());
            }
            try {
                store.storeResults(rows); // durable on return: only now is any of these tasks done
            } catch (RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                // The tasks stay without a result (a restart runs them again); whoever waits for the job is told why.
                LOG.error(
                        "cannot store results, their tasks stay pending: results={}, cause={}",
                        rows.size(),
                        e.toString());
                for (Done d : batch) {
                    d.job().storeFailure = e.getMessage() != null ? e.getMessage() : e.toString();
                }
            }
            for (Done d : batch) {
                d.job().records.remove(d.index());
            }
            for (Done d : batch) {
                if (d.job().storeFailure != null) {
                    d.job().complete.complete(null); // wakes the waiters, who are told the failure
                } else {
                    feed(d.job()); // tops its window up from the store, or completes it
                }
            }
            batch.clear();
        }
    }

    private void completeIfDone(Running job) {
        if (job.complete.isDone() || !job.records.isEmpty() || job.nextIndex < job.total) {
            return;
        }
        JobInfo info = store.job(job.id).orElse(null);
        if (info == null || info.unresolved() == 0) {
            job.complete.complete(null);
            running.remove(job.id);
        }
    }

    /** A client's request about jobs. */
    void request(int op, byte[] args, ClientService.Reply reply) {
        if (closed.get()) {
            reply.error("server closing");
            return;
        }
        requests.execute(() -> {
            try {
                serve(op, new ClientCalls.In(args), reply);
            } catch (RuntimeException e) {
                LOG.debug("job request failed: op={}", op, e);
                reply.error(e.getMessage() != null ? e.getMessage() : e.toString());
            }
        });
    }

    /** @return the task payloads of a submit request: a count (checked against the bytes left), then each payload */
    private static List<byte[]> payloads(ClientCalls.In in) {
        int n = in.i32();
        if (n < 0 || n > in.remaining() / 4) {
            throw new IllegalArgumentException("bad task count: n=" + n);
        }
        List<byte[]> payloads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            payloads.add(in.bytes());
        }
        return payloads;
    }

    private void serve(int op, ClientCalls.In in, ClientService.Reply reply) {
        switch (op) {
            case ClientCalls.SUBMIT_JOB -> {
                String id = in.str();
                List<byte[]> payloads = payloads(in);
                JobInfo info = store.submitJob(id.isEmpty() ? null : id, payloads); // durable on return
                LOG.info("job stored: job={}, tasks={}", info.id(), payloads.size());
                reply.ok(summary(new ClientCalls.Out(), info).toBytes()); // stored: the client may go
                start(info); // reads the payloads back from the store, a window at a time
            }
            case ClientCalls.SUBMIT_BEGIN -> {
                String id = in.str();
                int total = in.i32();
                JobInfo info = store.createJob(id.isEmpty() ? null : id, total);
                reply.ok(summary(new ClientCalls.Out(), info).toBytes());
            }
            case ClientCalls.SUBMIT_ADD -> {
                String id = in.str();
                int first = in.i32();
                List<byte[]> payloads = payloads(in);
                store.addTasks(id, first, payloads);
                reply.ok(new byte[0]);
            }
            case ClientCalls.SUBMIT_SEAL -> {
                JobInfo info = store.sealJob(in.str()); // every payload durable: the job exists from here on
                LOG.info("job stored in parts: job={}, tasks={}", info.id(), info.total());
                reply.ok(summary(new ClientCalls.Out(), info).toBytes());
                start(info);
            }
            case ClientCalls.JOB -> {
                JobInfo info = require(in.str());
                Running job = running.get(info.id());
                int sent = job == null ? 0 : dispatcher.sent(job.records.values());
                reply.ok(summary(new ClientCalls.Out(), info).i32(sent).toBytes());
            }
            case ClientCalls.JOBS -> {
                List<JobInfo> all = store.jobs();
                ClientCalls.Out out = new ClientCalls.Out().i32(all.size());
                for (JobInfo info : all) {
                    summary(out, info);
                }
                reply.ok(out.toBytes());
            }
            case ClientCalls.FETCH -> fetch(in.str(), in.i32(), in.i32(), reply);
            case ClientCalls.DELETE_JOB -> {
                String id = in.str();
                Running job = running.remove(id);
                if (job != null) {
                    job.deleted = true;
                    dispatcher.cancel(new ArrayList<>(job.records.values()));
                    job.complete.complete(null);
                }
                boolean existed = store.deleteJob(id);
                LOG.info("job deleted: job={}, existed={}", id, existed);
                reply.ok(new ClientCalls.Out().i32(existed ? 1 : 0).toBytes());
            }
            case ClientCalls.AWAIT_JOB -> {
                JobInfo info = require(in.str());
                long millis = Math.max(0, in.i64());
                Running job = running.get(info.id());
                if (job == null || info.unresolved() == 0) {
                    reply.ok(summary(new ClientCalls.Out(), info).toBytes());
                    return;
                }
                Runnable answer = () -> requests.execute(() -> {
                    try {
                        String failure = job.storeFailure;
                        if (failure != null) {
                            reply.error("results of job " + info.id() + " cannot be stored: " + failure
                                    + " (its tasks stay pending: they run again after a restart; delete the job to"
                                    + " free its room)");
                            return;
                        }
                        reply.ok(summary(new ClientCalls.Out(), require(info.id()))
                                .toBytes());
                    } catch (RuntimeException e) {
                        reply.error(e.getMessage() != null ? e.getMessage() : e.toString());
                    }
                });
                job.complete.thenRun(answer);
                timers.schedule(answer, millis, TimeUnit.MILLISECONDS); // the Reply answers once: whichever is first
            }
            default -> reply.error("unknown request: op=" + op);
        }
    }

    private void fetch(String id, int from, int maxBytes, ClientService.Reply reply) {
        require(id);
        ClientCalls.Out rows = new ClientCalls.Out();
        int n = 0;
        int next = -1;
        try (ResultCursor c = store.results(id, Math.max(0, from))) {
            while (c.next()) {
                if (n > 0 && rows.length() + c.size() > maxBytes) {
                    next = c.index();
                    break;
                }
                rows.i32(c.index()).bytes(c.valueBytes());
                n++;
            }
        }
        reply.ok(new ClientCalls.Out().i32(n).raw(rows.toBytes()).i32(next).toBytes());
    }

    private JobInfo require(String id) {
        return store.job(id).orElseThrow(() -> new IllegalArgumentException("unknown job: job=" + id));
    }

    private static ClientCalls.Out summary(ClientCalls.Out out, JobInfo info) {
        return out.str(info.id())
                .i64(info.created().toEpochMilli())
                .i32(info.total())
                .i32(info.done())
                .i32(info.failed())
                .str(info.state().name());
    }

    /** Stops taking requests and storing results (what is not stored yet runs again after a restart). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        requests.shutdownNow();
        timers.shutdownNow();
        writer.interrupt();
        try {
            requests.awaitTermination(5, TimeUnit.SECONDS);
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
