package io.jmirai.dispatcher;

import io.jmirai.transport.ListenUrl;
import java.time.Duration;
import java.util.Objects;

/**
 * The dispatcher's immutable configuration.
 *
 * @param url where to listen (port 0: any free port)
 * @param secret the session secret daemons must prove
 * @param maxFrameLength limit on a frame's length field, both ways, once authenticated
 * @param handshakeTimeout how long a new connection has to authenticate
 * @param maxUnauthenticated how many connections may be authenticating at once; more are closed at once
 * @param ssl the server TLS context for {@code tls+tcp} and {@code wss} URLs, else null
 * @param heartbeat the heartbeat interval both ways once authenticated (a peer silent for three is dropped), or zero
 *     for none
 * @param classSource the class loader remote class loading serves classes from when a request names no task in
 *     flight (tasks in flight are served from their own loader), or null to ship no classes: the host then does not
 *     advertise {@code CLASS_LOADING}
 */
public record DispatcherConfig(
        ListenUrl url,
        byte[] secret,
        int maxFrameLength,
        Duration handshakeTimeout,
        int maxUnauthenticated,
        io.netty.handler.ssl.SslContext ssl,
        Duration heartbeat,
        ClassLoader classSource) {
    /** The default heartbeat interval: 10 s (a peer silent for 30 s is dropped). */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);

    /** A configuration that ships no classes. */
    public DispatcherConfig(
            ListenUrl url,
            byte[] secret,
            int maxFrameLength,
            Duration handshakeTimeout,
            int maxUnauthenticated,
            io.netty.handler.ssl.SslContext ssl,
            Duration heartbeat) {
        this(url, secret, maxFrameLength, handshakeTimeout, maxUnauthenticated, ssl, heartbeat, null);
    }

    /** A configuration with the default heartbeat. */
    public DispatcherConfig(
            ListenUrl url,
            byte[] secret,
            int maxFrameLength,
            Duration handshakeTimeout,
            int maxUnauthenticated,
            io.netty.handler.ssl.SslContext ssl) {
        this(url, secret, maxFrameLength, handshakeTimeout, maxUnauthenticated, ssl, DEFAULT_HEARTBEAT, null);
    }

    /** Checks the fields. */
    public DispatcherConfig {
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.isNegative() || heartbeat.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("heartbeat : " + heartbeat + " (expected: zero, or 1 ms to 24 days)");
        }
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (maxFrameLength < io.jmirai.transport.protocol.FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength : " + maxFrameLength + " (expected: >= "
                    + io.jmirai.transport.protocol.FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH + ")");
        }
        if (maxUnauthenticated < 1) {
            throw new IllegalArgumentException("maxUnauthenticated : " + maxUnauthenticated + " (expected: > 0)");
        }
        if (url.scheme().isTls() && ssl == null) {
            throw new IllegalArgumentException("a TLS url needs a server TLS context: url=" + url);
        }
    }
}
