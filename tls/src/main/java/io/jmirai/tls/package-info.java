/**
 * All of jmirai's TLS code, in one place.
 *
 * <p>Client (daemon) side, JDK and Netty only: {@link io.jmirai.tls.ClientTls}, {@link io.netty.handler.ssl.SslContext}
 * factories that trust either exactly one pinned certificate or a CA chain
 * with host name verification.
 *
 * <p>Host side, with Bouncy Castle: {@link io.jmirai.tls.SingleUseCertificate} (a self-signed EC P-256 certificate
 * generated at start, private key only in memory), {@link io.jmirai.tls.HostTls} (a CA-signed certificate chain and
 * private key from PEM) and {@link io.jmirai.tls.Pem} helpers. Bouncy Castle is an optional dependency of this module:
 * the host declares it, the daemon does not, and the daemon's jar leaves these three classes out.
 */
package io.jmirai.tls;
