package io.jmirai;

import io.jmirai.transport.Scheme;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * URLs to listen at (mirai's {@code host_url()} and {@code local_url()}). Stateless and thread-safe.
 *
 * <pre>{@code
 * Daemons.builder().url(Urls.host(true, false, 5555).get(0))   // tls+tcp://<this machine's address>:5555
 * }</pre>
 */
public final class Urls {
    private Urls() {}

    /** @return {@code tcp://127.0.0.1:0}: loopback, any free port, for daemons on this machine */
    public static String local() {
        return "tcp://127.0.0.1:0";
    }

    /** @return one {@code tcp://} URL, port 0, per address of every network interface that is up */
    public static List<String> host() {
        return host(false, false, 0);
    }

    /**
     * One URL per address of every network interface that is up (loopback last), for daemons on other machines.
     *
     * @param tls {@code tls+tcp://} or {@code wss://} (zero-config TLS) instead of {@code tcp://} or {@code ws://}
     * @param webSocket {@code ws://} or {@code wss://}
     * @param port the port; 0 for any free one
     * @return the URLs, IPv6 addresses in brackets
     */
    public static List<String> host(boolean tls, boolean webSocket, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: 0 to 65535)");
        }
        Scheme scheme = webSocket ? (tls ? Scheme.WSS : Scheme.WS) : (tls ? Scheme.TLS_TCP : Scheme.TCP);
        List<String> urls = new ArrayList<>();
        List<String> loopback = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a.isLinkLocalAddress()) {
                        continue; // needs a scope id; not a useful listen address for daemons elsewhere
                    }
                    String h = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
                    (a.isLoopbackAddress() ? loopback : urls).add(scheme.text() + "://" + h + ":" + port);
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
        }
        urls.addAll(loopback);
        return urls;
    }
}
