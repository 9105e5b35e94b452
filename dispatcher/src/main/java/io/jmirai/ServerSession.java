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
 * status, shutdown, everywhere and jobs; {@link Daemons} checks arguments and delegates here, {@link Job} too.
 * Thread-safe: each call is one request and its answer.
 */
final class ServerSession {
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

    Status status() {
        return ClientCalls.decodeStatus(call(ClientCalls.STATUS, new byte[0], Duration.ofSeconds(30)));
    }

    void shutdown() {
        call(ClientCalls.SHUTDOWN, new byte[0], Duration.ofSeconds(30));
    }

    /** The server runs the setup on each of its daemons (and on later ones); returns once the runs now ended. */
    <T> List<Mirai<T>> everywhere(Task<T> setup) {
        byte[] payload = submitter.encodeBytes(TaskEnvelope.setup(setup));
        ClientCalls.In in = new ClientCalls.In(call(ClientCalls.EVERYWHERE, payload, Duration.ofMinutes(10)));
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

    /** See {@link Daemons#submitJob(String, List, MapFunction, MapOptions)}. */
    <T, R> Job<R> submitJob(
            String jobId, List<? extends T> items, MapFunction<? super T, ? extends R> fn, MapOptions options) {
        ClientCalls.Out out =
                new ClientCalls.Out().str(jobId == null ? "" : jobId).i32(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                Task<?> task = MapCall.of(fn, items.get(i));
                if (options.outputFiles() != null) {
                    task = new OutputFilesCall<>(task, options.outputFiles());
                }
                out.bytes(submitter.encodeBytes(task));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("job element " + i + ": " + e.getMessage(), e);
            }
        }
        if (out.length() > maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD - 1) {
            throw new IllegalArgumentException("job too large for one submission: bytes=" + out.length()
                    + ", maxFrameLength=" + maxFrameLength + " (split it into several jobs)");
        }
        byte[] answer;
        try {
            answer = call(ClientCalls.SUBMIT_JOB, out.toBytes(), Duration.ofMinutes(5));
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("job id")) {
                throw new IllegalArgumentException(e.getMessage(), e); // in use, or invalid: the caller's argument
            }
            throw e;
        }
        return new Job<>(this, Job.summary(new ClientCalls.In(answer)).id(), submitter.resultCodec());
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
