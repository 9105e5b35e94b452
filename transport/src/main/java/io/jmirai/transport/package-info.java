/**
 * Listen URLs ({@link io.jmirai.transport.ListenUrl}: {@code tcp}, {@code tls+tcp}, {@code ws}, {@code wss}) and
 * the Netty pipelines for each scheme, which share one tail (frame decoder, then the protocol handler) and differ only
 * in their prefix (TLS, WebSocket). Used by the host and the daemon alike.
 */
package io.jmirai.transport;
