/**
 * Host side TLS: {@link io.jmirai.tls.SingleUseCertificate} (a self-signed EC P-256 certificate generated at start,
 * private key only in memory), {@link io.jmirai.tls.HostTls} (a CA-signed certificate chain and private key from PEM)
 * and {@link io.jmirai.tls.Pem} helpers. This package uses Bouncy Castle; the daemon side lives in
 * {@code io.jmirai.transport.tls}, which does not.
 */
package io.jmirai.tls;
