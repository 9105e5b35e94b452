package io.jmirai.daemon;

import java.security.cert.CertificateException;

/**
 * Tells a TLS handshake the daemon refused (the host's certificate is not the pinned one, not signed by the trusted
 * CA, expired, or for another name: an authentication failure, exit 77) from one the host cut short (it closed the
 * connection, e.g. over its cap on connections authenticating at once: redial, as on every other scheme). Stateless.
 */
final class TlsFailures {
    private static final int MAX_CAUSES = 32;

    private TlsFailures() {}

    /** @return whether {@code failure}'s cause chain holds a certificate the daemon rejected */
    static boolean certificateRejected(Throwable failure) {
        Throwable c = failure;
        for (int i = 0; c != null && i < MAX_CAUSES; i++) {
            if (c instanceof CertificateException) {
                return true;
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return false;
    }
}
