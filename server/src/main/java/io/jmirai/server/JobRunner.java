package io.jmirai.server;

import io.jmirai.dispatcher.ClientService;
import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.server.store.JobStore;

/** The server's jobs. Not built yet: every job operation is refused with a clear error. Thread-safe. */
final class JobRunner implements AutoCloseable {
    private final JobStore store;
    private volatile Dispatcher dispatcher;

    JobRunner(JobStore store) {
        this.store = store;
    }

    void bind(Dispatcher d) {
        this.dispatcher = d;
    }

    void request(int op, byte[] args, ClientService.Reply reply) {
        reply.error("unknown request: op=" + op + " (store=" + store.path() + ", bound=" + (dispatcher != null) + ")");
    }

    @Override
    public void close() {}
}
