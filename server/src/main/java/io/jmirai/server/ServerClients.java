package io.jmirai.server;

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

    ServerClients(JobRunner jobs) {
        this.jobs = jobs;
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
        jobs.request(op, args, reply);
    }
}
