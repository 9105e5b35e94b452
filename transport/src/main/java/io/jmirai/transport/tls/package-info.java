/**
 * Client (daemon) side TLS: {@link io.netty.handler.ssl.SslContext} factories that trust either exactly one pinned
 * certificate ({@link io.jmirai.transport.tls.PinnedTrustManager}) or a CA chain with host name verification
 * ({@link io.jmirai.transport.tls.ClientTls}).
 *
 * <p>This package uses only the JDK and Netty, never Bouncy Castle, so that it can live in the transport module whose
 * shaded daemon jar must stay free of signed Bouncy Castle jars.
 */
package io.jmirai.transport.tls;
