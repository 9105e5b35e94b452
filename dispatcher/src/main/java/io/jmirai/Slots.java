package io.jmirai;

import io.jmirai.dispatcher.Dispatcher;
import io.jmirai.transport.ListenUrl;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the daemons this JVM launches take their slots: the embedded dispatcher's own, or, for a client ({@link
 * Daemons#connect}), its server's ({@link ServerSession}). Implementations are thread-safe.
 */
interface Slots {
    /** @return {@code n} new slots reserved for daemons this JVM launches */
    List<Integer> reserve(int n);

    /** @return the URL a daemon dials to take {@code slot} */
    ListenUrl url(int slot);

    /** @return completes when a daemon has authenticated at {@code slot}; fails when the host closes first */
    CompletableFuture<Void> connected(int slot);

    /** @return completes when a new daemon authenticates at {@code slot} (replacing a lost one) */
    CompletableFuture<Void> reconnected(int slot);

    /** Forgets reserved slots no daemon ever connected at (a failed launch). */
    void release(List<Integer> slots);

    /** @return the embedded dispatcher's slots */
    static Slots of(Dispatcher d) {
        return new Slots() {
            @Override
            public List<Integer> reserve(int n) {
                return d.reserveSlots(n);
            }

            @Override
            public ListenUrl url(int slot) {
                return d.slotUrl(slot);
            }

            @Override
            public CompletableFuture<Void> connected(int slot) {
                return d.slotConnected(slot);
            }

            @Override
            public CompletableFuture<Void> reconnected(int slot) {
                return d.slotReconnected(slot);
            }

            @Override
            public void release(List<Integer> slots) {
                d.releaseSlots(slots);
            }
        };
    }
}
