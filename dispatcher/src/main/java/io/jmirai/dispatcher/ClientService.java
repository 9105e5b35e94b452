package io.jmirai.dispatcher;

/**
 * What a server does for its clients beyond running their tasks: the {@link ClientCalls} operations other than
 * {@code STATUS} (which the dispatcher answers itself). A dispatcher with a service admits clients (peers whose HELLO
 * carries {@code Capability.CLIENT} and proves the session secret itself, slot 0 and no token); one without refuses
 * them. Set by {@code Daemons.Builder.clientService} (the standalone server does).
 *
 * <p>Threading: {@link #bind} and {@link #request} are called on the dispatcher's thread (bind: on the thread that starts it) and must not block (hand
 * slow work, such as writing to a store, to a thread of the service's own); {@link Reply} may be used from any thread,
 * exactly once.
 */
public interface ClientService {
    /** Called once, before any request, with the dispatcher the service may submit tasks to. */
    default void bind(Dispatcher dispatcher) {}

    /**
     * One request of an authenticated client.
     *
     * @param op the operation ({@link ClientCalls})
     * @param args its arguments (the payload after the operation code; owned by the service)
     * @param reply where the answer goes, exactly once
     */
    void request(int op, byte[] args, Reply reply);

    /** The answer to one request. Thread-safe; the first call wins, later ones do nothing. */
    interface Reply {
        /** Answers with {@code payload}. */
        void ok(byte[] payload);

        /** Answers with an error the client raises as an exception with {@code message}. */
        void error(String message);
    }
}
