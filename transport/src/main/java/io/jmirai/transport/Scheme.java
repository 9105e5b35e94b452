package io.jmirai.transport;

import java.util.Locale;

/** The URL schemes a listener and a dialer understand. */
public enum Scheme {
    /** Plain TCP. */
    TCP("tcp", false, false),
    /** TLS over TCP. */
    TLS_TCP("tls+tcp", true, false),
    /** WebSocket (binary messages) over plain HTTP. */
    WS("ws", false, true),
    /** WebSocket over TLS. */
    WSS("wss", true, true);

    private final String text;
    private final boolean tls;
    private final boolean webSocket;

    Scheme(String text, boolean tls, boolean webSocket) {
        this.text = text;
        this.tls = tls;
        this.webSocket = webSocket;
    }

    /** @return the scheme as written in a URL, such as {@code tls+tcp} */
    public String text() {
        return text;
    }

    /** @return whether the scheme runs over TLS */
    public boolean isTls() {
        return tls;
    }

    /** @return whether the scheme runs over WebSocket */
    public boolean isWebSocket() {
        return webSocket;
    }

    /**
     * Parses a scheme as written in a URL.
     *
     * @throws IllegalArgumentException for an unknown scheme
     */
    public static Scheme parse(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (Scheme s : values()) {
            if (s.text.equals(lower)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown url scheme: scheme=" + text + " (expected: tcp, tls+tcp, ws or wss)");
    }
}
