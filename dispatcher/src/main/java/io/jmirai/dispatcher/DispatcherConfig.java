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
 */
public record DispatcherConfig(
        ListenUrl url,
        byte[] secret,
        int maxFrameLength,
        Duration handshakeTimeout,
        int maxUnauthenticated,
        io.netty.handler.ssl.SslContext ssl) {
    /** Checks the fields. */
    public DispatcherConfig {
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
