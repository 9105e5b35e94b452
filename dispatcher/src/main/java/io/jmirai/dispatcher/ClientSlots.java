package io.jmirai.dispatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of a client's launches ({@code launchLocal} and {@code launchRemote} on a connected {@code
 * Daemons}): reserves daemon slots here for the client to launch daemons at, tells it when a daemon has connected at
 * one, and forgets slots whose launch failed. The client derives each daemon's key from the session secret it holds
 * (as an embedded host does), so nothing secret travels in these answers.
 *
 * <p>Threading: called on the dispatcher's thread; never blocks (a wait for a slot answers from the future's
 * completion).
 */
final class ClientSlots {
    /** At most this many slots per RESERVE_SLOTS request. */
    static final int MAX_RESERVE = 1024;
    /** A wait for a slot is answered after at most this long (the client asks again). */
    static final long MAX_WAIT_MILLIS = 60_000;

    private ClientSlots() {}

    /** @return whether {@code op} is one of these operations (then it has been answered or will be) */
    static boolean handle(Dispatcher dispatcher, int op, byte[] args, ClientService.Reply reply) {
        ClientCalls.In in = new ClientCalls.In(args);
        switch (op) {
            case ClientCalls.RESERVE_SLOTS -> {
                int n = in.i32();
                if (n < 0 || n > MAX_RESERVE) {
                    reply.error("reserve slots: n=" + n + " (expected: 0 to " + MAX_RESERVE + ")");
                    return true;
                }
                List<Integer> slots = dispatcher.reserveSlots(n);
                ClientCalls.Out out = new ClientCalls.Out().i32(slots.size());
                slots.forEach(out::i32);
                reply.ok(out.toBytes());
                return true;
            }
            case ClientCalls.AWAIT_SLOT -> {
                int slot = in.i32();
                long millis = Math.max(0, Math.min(in.i64(), MAX_WAIT_MILLIS));
                dispatcher.slotUrl(slot); // an unknown slot fails here, before anyone waits for it
                // a dependent future times out, never the registry's own (other waiters share it)
                dispatcher
                        .slotConnected(slot)
                        .thenApply(v -> Boolean.TRUE)
                        .completeOnTimeout(Boolean.FALSE, millis, TimeUnit.MILLISECONDS)
                        .whenComplete((connected, e) -> {
                            if (e == null) {
                                reply.ok(new byte[] {(byte) (connected ? 1 : 0)});
                            } else {
                                reply.error("slot " + slot + ": " + e.getMessage());
                            }
                        });
                return true;
            }
            case ClientCalls.RELEASE_SLOTS -> {
                int n = in.i32();
                if (n < 0 || n > MAX_RESERVE) {
                    reply.error("release slots: n=" + n + " (expected: 0 to " + MAX_RESERVE + ")");
                    return true;
                }
                List<Integer> slots = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    slots.add(in.i32());
                }
                dispatcher.releaseSlots(slots);
                reply.ok(new byte[0]);
                return true;
            }
            default -> {
                return false;
            }
        }
    }
}
