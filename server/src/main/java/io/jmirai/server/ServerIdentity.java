package io.jmirai.server;

import io.jmirai.server.store.JobStore;
import io.jmirai.tls.HostTls;
import io.jmirai.tls.SingleUseCertificate;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.Handshake;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What makes a server the same server after a restart: its secret, its TLS certificate and key, and the URL it last
 * listened on, all kept as properties in its {@link JobStore}. Made on first start, read back on every later one, so
 * daemons that redial (and clients holding the credentials file) are admitted again. Used by one thread at start.
 *
 * @param url where to listen: the requested URL, or the one listened on last time when the request is the same
 *     scheme and host with port 0 or the same port
 * @param secret the session secret
 * @param certificatePem the certificate for TLS URLs, else null
 * @param keyPem its private key (PKCS#8 PEM) for TLS URLs, else null
 */
record ServerIdentity(ListenUrl url, String secret, String certificatePem, String keyPem) {
    static final String SECRET = "server.secret";
    static final String URL = "server.url";
    static final String CERTIFICATE = "server.certificate";
    static final String KEY = "server.key";

    /** How long the server's own certificate is valid: it is pinned, not checked against a CA. */
    static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(3650);

    /** Reads the identity from {@code store}, making (and storing) what is missing. */
    static ServerIdentity loadOrCreate(JobStore store, ListenUrl requested) {
        String secret = text(store, SECRET).orElseGet(() -> {
            String s = Handshake.newSecret();
            store.putProperty(SECRET, s.getBytes(StandardCharsets.UTF_8));
            return s;
        });
        ListenUrl url = requested;
        Optional<String> last = text(store, URL);
        if (last.isPresent()) {
            ListenUrl previous = ListenUrl.parse(last.get());
            if (previous.scheme() == requested.scheme()
                    && previous.host().equals(requested.host())
                    && (requested.port() == 0 || requested.port() == previous.port())) {
                url = previous;
            }
        }
        String cert = null;
        String key = null;
        if (url.scheme().isTls()) {
            cert = text(store, CERTIFICATE).orElse(null);
            key = text(store, KEY).orElse(null);
            if (cert == null || key == null) {
                SingleUseCertificate made = SingleUseCertificate.generate(url.host(), CERTIFICATE_VALIDITY);
                cert = made.certificatePem();
                key = made.privateKeyPem();
                store.putProperty(KEY, key.getBytes(StandardCharsets.UTF_8));
                store.putProperty(CERTIFICATE, cert.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new ServerIdentity(url, secret, cert, key);
    }

    /** Remembers the URL actually bound (port 0 resolved), so a restart listens there again. */
    static void rememberUrl(JobStore store, String boundUrl) {
        store.putProperty(URL, boundUrl.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the TLS identity for the dispatcher, or null for a plain URL */
    HostTls hostTls() {
        return certificatePem == null ? null : HostTls.fromPem(certificatePem, keyPem);
    }

    private static Optional<String> text(JobStore store, String name) {
        return store.property(name).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Never shows the secret or the key. */
    @Override
    public String toString() {
        return "ServerIdentity[url=" + url + ", tls=" + (certificatePem != null) + "]";
    }
}
