package io.jmirai.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The scheme-specific prefix of every pipeline; the tail ({@code FrameDecoder} and the protocol handler) is the same
 * for all schemes:
 *
 * <pre>
 * tcp      : TransportReadyHandler
 * tls+tcp  : SslHandler → TransportReadyHandler
 * ws / wss : [SslHandler →] HttpServerCodec|HttpClientCodec → HttpObjectAggregator(64 KiB)
 *            → WebSocket{Server,Client}ProtocolHandler → WebSocketBinaryAdapter → TransportReadyHandler
 * </pre>
 *
 * The HTTP upgrade is bounded (64 KiB), WebSocket messages are at most 64 KiB each way, and WebSocket extensions
 * (compression) are off. Stateless and thread-safe.
 */
public final class Pipelines {
    private static final int MAX_HTTP = 64 * 1024;

    private Pipelines() {}

    /**
     * Adds the server-side prefix for {@code scheme}.
     *
     * @param ssl the server TLS context; required for TLS schemes, ignored otherwise
     * @param handshakeTimeout bound on the TLS and WebSocket handshakes
     */
    public static void addServerPrefix(ChannelPipeline p, Scheme scheme, SslContext ssl, Duration handshakeTimeout) {
        if (scheme.isTls()) {
            Objects.requireNonNull(ssl, "ssl (required for " + scheme.text() + ")");
            p.addLast("tls", ssl.newHandler(p.channel().alloc()));
        }
        if (scheme.isWebSocket()) {
            p.addLast("http", new HttpServerCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP));
            p.addLast(
                    "websocket",
                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath("/")
                            .checkStartsWith(true)
                            .handshakeTimeoutMillis(handshakeTimeout.toMillis())
                            .decoderConfig(WebSocketDecoderConfig.newBuilder()
                                    .maxFramePayloadLength(WebSocketBinaryAdapter.MAX_MESSAGE)
                                    .allowExtensions(false)
                                    .build())
                            .build()));
            p.addLast("websocket-binary", new WebSocketBinaryAdapter());
        }
        p.addLast("ready", new TransportReadyHandler(scheme));
    }

    /**
     * Adds the client-side prefix for {@code url}.
     *
     * @param ssl the client TLS context (pinned certificate or CA chain); required for TLS schemes
     * @param handshakeTimeout bound on the TLS and WebSocket handshakes
     */
    public static void addClientPrefix(ChannelPipeline p, ListenUrl url, SslContext ssl, Duration handshakeTimeout) {
        Scheme scheme = url.scheme();
        if (scheme.isTls()) {
            Objects.requireNonNull(ssl, "ssl (required for " + scheme.text() + ")");
            p.addLast("tls", ssl.newHandler(p.channel().alloc(), url.host(), url.port()));
        }
        if (scheme.isWebSocket()) {
            p.addLast("http", new HttpClientCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP));
            String path = url.path().isEmpty() ? "/" : url.path();
            p.addLast(
                    "websocket",
                    new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                            .webSocketUri(URI.create(url.withPath(path).toString()))
                            .version(WebSocketVersion.V13)
                            .allowExtensions(false)
                            .maxFramePayloadLength(WebSocketBinaryAdapter.MAX_MESSAGE)
                            .handshakeTimeoutMillis(handshakeTimeout.toMillis())
                            .build()));
            p.addLast("websocket-binary", new WebSocketBinaryAdapter());
        }
        p.addLast("ready", new TransportReadyHandler(scheme));
    }
}
