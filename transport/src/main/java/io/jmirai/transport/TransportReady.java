package io.jmirai.transport;

/**
 * A user event fired down the pipeline once the scheme's own handshakes (TLS, WebSocket upgrade) are done, so the
 * jmirai protocol may start. Fired exactly once per connection, by {@link TransportReadyHandler}.
 *
 * @param path the WebSocket request path on the server side (e.g. {@code /1}), or the empty string
 */
public record TransportReady(String path) {}
