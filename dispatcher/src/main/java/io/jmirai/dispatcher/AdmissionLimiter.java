package io.jmirai.dispatcher;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Admission of connections that have not authenticated yet: at most {@code max} at once in all, and at most a quarter
 * of that from any one source address, so that one address opening connections as fast as they are closed cannot keep
 * daemons from other addresses out (it can fill only its own share; everyone else keeps the rest). A refused daemon
 * redials until its dial timeout. Confined to the dispatcher's thread.
 */
final class AdmissionLimiter {
    private final int max;
    private final int perSource;
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private int total;

    /** @param max how many connections may be authenticating at once */
    AdmissionLimiter(int max) {
        this.max = max;
        this.perSource = Math.max(1, max / 4);
    }

    /** @return the per-source limit */
    int perSource() {
        return perSource;
    }

    /**
     * Takes a place for a new connection from {@code remote}.
     *
     * @return false if there is none (close the connection); true, and the caller calls {@link #release} exactly once
     */
    boolean admit(SocketAddress remote) {
        InetAddress source = source(remote);
        int fromSource = bySource.getOrDefault(source, 0);
        if (total >= max || fromSource >= perSource) {
            return false;
        }
        total++;
        bySource.put(source, fromSource + 1);
        return true;
    }

    /** Gives back the place of a connection that authenticated or closed. */
    void release(SocketAddress remote) {
        InetAddress source = source(remote);
        total--;
        Integer n = bySource.get(source);
        if (n == null || n <= 1) {
            bySource.remove(source);
        } else {
            bySource.put(source, n - 1);
        }
    }

    private static InetAddress source(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getAddress() : null; // null: one bucket for the unknown
    }
}
