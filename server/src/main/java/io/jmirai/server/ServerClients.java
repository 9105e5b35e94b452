package io.jmirai.server;

import io.jmirai.Daemons;
import io.jmirai.dispatcher.ClientCalls;
import io.jmirai.dispatcher.ClientService;
import io.jmirai.dispatcher.Dispatcher;
import java.util.concurrent.CompletableFuture;

/**
 * What the server does for its clients besides running their tasks (the dispatcher forwards those itself): stops on
 * {@code SHUTDOWN}, and hands the job operations to its {@link JobRunner}. Thread-safe; requests arrive on the
 * dispatcher's thread and anything slow runs on the runner's threads.
 */
final class ServerClients implements ClientService {
    private final CompletableFuture<Void> shutdownRequested = new CompletableFuture<>();
    private final JobRunner jobs;
    /** The server's daemons, once started; scaled for a client's {@code SCALE} if {@link #localPool}. */
    private volatile Daemons daemons;

    private volatile boolean localPool;

    ServerClients(JobRunner jobs) {
        this.jobs = jobs;
    }

    /**
     * Called once the server's daemons are started.
     *
     * @param localPool whether the server keeps local daemons of its own ({@code --local N}, N ≥ 1): then a client's
     *     {@code scale} scales them
     */
    void started(Daemons value, boolean localPool) {
        this.localPool = localPool;
        this.daemons = value;
    }

    /** @return completes when a client asked the server to stop */
    CompletableFuture<Void> shutdownRequested() {
        return shutdownRequested;
    }

    @Override
    public void bind(Dispatcher dispatcher) {
        jobs.bind(dispatcher);
    }

    @Override
    public void request(int op, byte[] args, Reply reply) {
        if (op == ClientCalls.SHUTDOWN) {
            reply.ok(new byte[0]);
            // on another thread: stopping waits for the dispatcher, whose thread this is
            Thread stop = new Thread(() -> shutdownRequested.complete(null), "jmirai-server-shutdown");
            stop.setDaemon(true);
            stop.start();
            return;
        }
        if (op == ClientCalls.SCALE) {
            scale(new ClientCalls.In(args).i32(), reply);
            return;
        }
        jobs.request(op, args, reply);
    }

    /** Scales the server's own pool, off the dispatcher's thread (a launch may take a while to start). */
    private void scale(int target, Reply reply) {
        Daemons d = daemons;
        if (d == null || !localPool) {
            reply.error("scale: this server keeps no local daemons of its own (it was started without --local N);"
                    + " launch daemons from a client with launchLocal or launchRemote, or restart the server with"
                    + " --local N");
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        d.scale(target);
                        reply.ok(new byte[0]);
                    } catch (RuntimeException e) {
                        reply.error("scale: " + e.getMessage());
                    }
                },
                "jmirai-server-scale");
        t.setDaemon(true);
        t.start();
    }
}
