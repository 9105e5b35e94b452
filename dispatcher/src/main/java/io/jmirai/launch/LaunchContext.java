package io.jmirai.launch;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * What a launch needs from the host: made by {@code Daemons}, not by applications. {@link #toString()} hides the
 * secret. Immutable; the functions must be thread-safe.
 *
 * @param url the URL the host listens at (port resolved)
 * @param secret the session secret
 * @param certPem the host's certificate (PEM) for TLS URLs, or null
 * @param options the host's daemon options
 * @param reserveSlots reserves {@code n} new daemon slots and returns their numbers
 * @param slotConnected a future that completes when a daemon authenticates at the slot, and fails when the host
 *     closes first
 * @param adopt hands a started process to the host, which stops it (bounded) when it closes
 */
public record LaunchContext(
        ListenUrl url,
        String secret,
        String certPem,
        DaemonOptions options,
        IntFunction<List<Integer>> reserveSlots,
        IntFunction<CompletableFuture<Void>> slotConnected,
        Consumer<LocalProcess> adopt) {

    /** Checks for nulls. */
    public LaunchContext {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(reserveSlots, "reserveSlots");
        Objects.requireNonNull(slotConnected, "slotConnected");
        Objects.requireNonNull(adopt, "adopt");
    }

    /**
     * What to give the daemons of one command instead of the session secret: for a command with one slot, that
     * daemon's own key ({@link DaemonKeys#derive}; slots reserved for launches have no token), which cannot pass for
     * the host to any other daemon; for a command that starts several daemons from one secret, the session secret.
     *
     * @param slots the command's slots
     * @return the text the daemons read as their secret
     */
    public String secretFor(List<Integer> slots) {
        return slots.size() == 1 ? DaemonKeys.derive(secret, slots.get(0), "") : secret;
    }

    @Override
    public String toString() {
        return "LaunchContext{url=" + url + ", secret=(hidden), certPem=" + (certPem == null ? "none" : "(set)")
                + ", options=" + options + "}";
    }
}
