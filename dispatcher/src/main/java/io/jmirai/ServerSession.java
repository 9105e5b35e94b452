package io.jmirai;

import io.jmirai.api.MapFunction;
import io.jmirai.api.Task;
import io.jmirai.api.internal.MapCall;
import io.jmirai.api.internal.OutputFilesCall;
import io.jmirai.api.internal.TaskEnvelope;
import io.jmirai.dispatcher.ClientCalls;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.transport.protocol.FrameHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a connected {@link Daemons} asks its server ({@link ClientCalls} requests over the client's connection):
 * status, shutdown, everywhere, jobs, and the slots of the daemons it launches ({@link Slots}: reserved at the
 * server, whose URL they dial); {@link Daemons} checks arguments and delegates here, {@link Job} too.
 * Thread-safe: each call is one request and its answer.
 */
final class ServerSession implements Slots {
    private final Dispatcher dispatcher;
    private final TaskSubmitter submitter;
    private final int maxFrameLength;
    private final AtomicBoolean closed;

    ServerSession(Dispatcher dispatcher, TaskSubmitter submitter, int maxFrameLength, AtomicBoolean closed) {
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.maxFrameLength = maxFrameLength;
        this.closed = closed;
    }

    /**
     * Sends a request to the server and waits for its answer.
     *
     * @throws IllegalStateException with the server's message if it failed, if the server does not answer in time,
     *     or if the client is closed
     */
    byte[] call(int op, byte[] args, Duration timeout) {
        if (closed.get()) {
            throw new IllegalStateException("daemons are closed");
        }
        try {
            return dispatcher.request(op, args).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IllegalStateException i
                    ? new IllegalStateException(i.getMessage(), i)
                    : new IllegalStateException(String.valueOf(c), c);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the server did not answer within " + timeout + ": url=" + dispatcher.url());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        }
    }

    /** How long one AWAIT_SLOT asks the server to wait before answering "not yet" (the client then asks again). */
    private static final long SLOT_WAIT_MILLIS = 30_000;

    @Override
    public List<Integer> reserve(int n) {
        ClientCalls.In in = new ClientCalls.In(
                call(ClientCalls.RESERVE_SLOTS, new ClientCalls.Out().i32(n).toBytes(), Duration.ofSeconds(30)));
        int k = in.i32();
        if (k != n) {
            throw new IllegalStateException("the server reserved " + k + " slots, not " + n);
        }
        List<Integer> slots = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            slots.add(in.i32());
        }
        return slots;
    }

    /** The server's URL (the one this client dials, as in the credentials file) with path {@code /slot}. */
    @Override
    public io.jmirai.transport.ListenUrl url(int slot) {
        return dispatcher.url().withPath("/" + slot);
    }

    /**
     * Asks the server, 30 s at a time, until a daemon has connected at {@code slot}; stops asking once the future is
     * completed by anyone (a caller that gave up cancels it) or this client is closed (the future then fails).
     */
    @Override
    public java.util.concurrent.CompletableFuture<Void> connected(int slot) {
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        awaitSlot(slot, f);
        return f;
    }

    private void awaitSlot(int slot, java.util.concurrent.CompletableFuture<Void> f) {
        if (f.isDone()) {
            return;
        }
        if (closed.get()) {
            f.completeExceptionally(new IllegalStateException("daemons closed"));
            return;
        }
        byte[] args = new ClientCalls.Out().i32(slot).i64(SLOT_WAIT_MILLIS).toBytes();
        dispatcher.request(ClientCalls.AWAIT_SLOT, args).whenComplete((answer, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else if (answer.length == 1 && answer[0] == 1) {
                f.complete(null);
            } else {
                awaitSlot(slot, f);
            }
        });
    }

    /** A client's local daemons are not replaced: the same as {@link #connected} (a fresh daemon at the slot). */
    @Override
    public java.util.concurrent.CompletableFuture<Void> reconnected(int slot) {
        return connected(slot);
    }

    @Override
    public void release(List<Integer> slots) {
        if (slots.isEmpty()) {
            return;
        }
        ClientCalls.Out out = new ClientCalls.Out().i32(slots.size());
        List.copyOf(slots).forEach(out::i32);
        call(ClientCalls.RELEASE_SLOTS, out.toBytes(), Duration.ofSeconds(30));
    }

    Status status() {
        return ClientCalls.decodeStatus(call(ClientCalls.STATUS, new byte[0], Duration.ofSeconds(30)));
    }

    void shutdown() {
        call(ClientCalls.SHUTDOWN, new byte[0], Duration.ofSeconds(30));
    }

    /** The server runs the setup on each of its daemons (and on later ones); returns once the runs now ended. */
    <T> List<Mirai<T>> everywhere(Task<T> setup) {
        byte[] payload = submitter.encodeBytes(TaskEnvelope.setup(setup));
        return outcomes(call(ClientCalls.EVERYWHERE, payload, Duration.ofMinutes(10)));
    }

    /** The server resets each of its daemons; returns once every daemon connected now has run the reset. */
    List<Mirai<Integer>> reset() {
        byte[] payload = submitter.encodeBytes(TaskEnvelope.resetting());
        return outcomes(call(ClientCalls.RESET, payload, Duration.ofMinutes(10)));
    }

    /** The server scales its own pool (see {@link Daemons#scale}). */
    void scale(int target) {
        call(ClientCalls.SCALE, new ClientCalls.Out().i32(target).toBytes(), Duration.ofSeconds(30));
    }

    /** @return one resolved future per outcome in an EVERYWHERE or RESET answer */
    private <T> List<Mirai<T>> outcomes(byte[] answer) {
        ClientCalls.In in = new ClientCalls.In(answer);
        int n = in.i32();
        List<Mirai<T>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Mirai<T> m = new Mirai<>(-(i + 1), submitter.resultCodec());
            if (in.u8() == 0) {
                int flags = in.u8();
                m.resolve(new Outcome.Result(flags, in.bytes()));
            } else {
                int code = in.i32();
                m.resolve(new Outcome.Failure(code, in.str()));
            }
            out.add(m);
        }
        return out;
    }

    /** A job submission goes in one request up to this many bytes, else in parts of about this size. */
    static final int PART_BYTES = 32 * 1024 * 1024;

    /**
     * See {@link Daemons#submitJob(String, List, MapFunction, MapOptions)}: one request for a job up to {@link
     * #PART_BYTES}, else the job is stored in parts (begin, add, ..., seal) and exists for other clients only once
     * sealed.
     */
    <T, R> Job<R> submitJob(
            String jobId, List<? extends T> items, MapFunction<? super T, ? extends R> fn, MapOptions options) {
        List<byte[]> payloads = new ArrayList<>(items.size());
        long bytes = 0;
        for (int i = 0; i < items.size(); i++) {
            try {
                Task<?> task = MapCall.of(fn, items.get(i));
                if (options.outputFiles() != null) {
                    task = new OutputFilesCall<>(task, options.outputFiles());
                }
                byte[] p = submitter.encodeBytes(task);
                if (p.length > Math.min(PART_BYTES, maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD - 64)) {
                    throw new IllegalArgumentException("task too large for a job: length=" + p.length);
                }
                payloads.add(p);
                bytes += 4 + p.length;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("job element " + i + ": " + e.getMessage(), e);
            }
        }
        String id = jobId == null ? "" : jobId;
        byte[] answer;
        try {
            if (bytes <= PART_BYTES) {
                ClientCalls.Out out = new ClientCalls.Out().str(id).i32(payloads.size());
                payloads.forEach(out::bytes);
                answer = call(ClientCalls.SUBMIT_JOB, out.toBytes(), Duration.ofMinutes(5));
            } else {
                answer = submitInParts(id, payloads);
            }
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("job id")) {
                throw new IllegalArgumentException(e.getMessage(), e); // in use, or invalid: the caller's argument
            }
            throw e;
        }
        return new Job<>(this, Job.summary(new ClientCalls.In(answer)).id(), submitter.resultCodec());
    }

    private byte[] submitInParts(String id, List<byte[]> payloads) {
        byte[] begun = call(
                ClientCalls.SUBMIT_BEGIN,
                new ClientCalls.Out().str(id).i32(payloads.size()).toBytes(),
                Duration.ofMinutes(1));
        String stored = Job.summary(new ClientCalls.In(begun)).id();
        try {
            int first = 0;
            while (first < payloads.size()) {
                ClientCalls.Out part = new ClientCalls.Out();
                int n = 0;
                long size = 0;
                while (first + n < payloads.size() && (n == 0 || size + payloads.get(first + n).length <= PART_BYTES)) {
                    size += 4 + payloads.get(first + n).length;
                    n++;
                }
                part.str(stored).i32(first).i32(n);
                for (int i = first; i < first + n; i++) {
                    part.bytes(payloads.get(i));
                }
                call(ClientCalls.SUBMIT_ADD, part.toBytes(), Duration.ofMinutes(5));
                first += n;
            }
            return call(
                    ClientCalls.SUBMIT_SEAL, new ClientCalls.Out().str(stored).toBytes(), Duration.ofMinutes(5));
        } catch (RuntimeException e) {
            try { // never sealed: nobody was told it exists; a restarted server would drop it too
                call(ClientCalls.DELETE_JOB, new ClientCalls.Out().str(stored).toBytes(), Duration.ofSeconds(30));
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** See {@link Daemons#job}. */
    <R> Job<R> job(String jobId) {
        try {
            call(ClientCalls.JOB, new ClientCalls.Out().str(jobId).toBytes(), Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("unknown job")) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            throw e;
        }
        return new Job<>(this, jobId, submitter.resultCodec());
    }

    /** See {@link Daemons#jobs}. */
    List<JobSummary> jobs() {
        ClientCalls.In in = new ClientCalls.In(call(ClientCalls.JOBS, new byte[0], Duration.ofSeconds(30)));
        int n = in.i32();
        List<JobSummary> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Job.summary(in));
        }
        return out;
    }
}
