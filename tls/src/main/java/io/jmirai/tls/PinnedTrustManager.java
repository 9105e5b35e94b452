package io.jmirai.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that trusts exactly one pinned certificate, as mirai does for its single-use TLS.
 *
 * <p>The peer's leaf certificate (the first in its chain) must be byte-for-byte equal (same DER encoding) to the pinned
 * certificate and the pinned certificate must be valid now ({@link X509Certificate#checkValidity()}), so an expired
 * pinned certificate is refused. The rest of the peer's chain is ignored, and there is deliberately no host name check:
 * the pin already identifies the peer, and host names would break SSH tunnels to {@code 127.0.0.1}. Every refusal is a
 * {@link CertificateException} whose message names the expected and actual SHA-256 fingerprints.
 *
 * <p>The same check applies to both directions ({@code checkServerTrusted} and {@code checkClientTrusted}).
 *
 * <p>This class is immutable and thread-safe.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {

    private final X509Certificate pinned;
    private final byte[] pinnedEncoded;
    private final String pinnedFingerprint;

    /**
     * Creates a trust manager that trusts only {@code pinned}.
     *
     * @param pinned the only certificate to trust.
     * @throws IllegalArgumentException if the certificate cannot be encoded.
     */
    public PinnedTrustManager(X509Certificate pinned) {
        this.pinned = Objects.requireNonNull(pinned, "pinned");
        this.pinnedEncoded = encoded(pinned);
        this.pinnedFingerprint = sha256Hex(pinnedEncoded);
    }

    /**
     * Returns the lowercase hex SHA-256 fingerprint (64 characters, no separators) of a certificate's DER encoding, as
     * used in this class's error messages.
     *
     * @param certificate the certificate.
     * @return the fingerprint, for example {@code "3f2a…"}.
     * @throws IllegalArgumentException if the certificate cannot be encoded.
     */
    public static String sha256Fingerprint(X509Certificate certificate) {
        return sha256Hex(encoded(Objects.requireNonNull(certificate, "certificate")));
    }

    /**
     * Returns the pinned certificate.
     *
     * @return the certificate given to the constructor.
     */
    public X509Certificate pinnedCertificate() {
        return pinned;
    }

    /**
     * Returns the SHA-256 fingerprint of the pinned certificate, formatted as by {@link #sha256Fingerprint}.
     *
     * @return the fingerprint.
     */
    public String pinnedFingerprint() {
        return pinnedFingerprint;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {pinned};
    }

    @Override
    public String toString() {
        return "PinnedTrustManager{sha256=" + pinnedFingerprint + ", subject="
                + pinned.getSubjectX500Principal().getName() + ", notAfter="
                + pinned.getNotAfter().toInstant() + "}";
    }

    private void check(X509Certificate[] chain, String peer) throws CertificateException {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw new CertificateException(
                    peer + " sent no certificate: expected sha256=" + pinnedFingerprint + ", actual=none");
        }
        byte[] actual;
        try {
            actual = chain[0].getEncoded();
        } catch (CertificateEncodingException e) {
            throw new CertificateException(
                    peer + " certificate cannot be encoded: expected sha256=" + pinnedFingerprint, e);
        }
        if (!MessageDigest.isEqual(pinnedEncoded, actual)) {
            throw new CertificateException(peer + " certificate is not the pinned certificate: expected sha256="
                    + pinnedFingerprint + ", actual sha256=" + sha256Hex(actual) + ", actual subject="
                    + chain[0].getSubjectX500Principal().getName());
        }
        try {
            pinned.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new CertificateException(
                    "pinned certificate is not valid now: expected sha256=" + pinnedFingerprint + ", actual sha256="
                            + pinnedFingerprint + ", notBefore="
                            + pinned.getNotBefore().toInstant()
                            + ", notAfter=" + pinned.getNotAfter().toInstant(),
                    e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException(
                    "cannot encode certificate: subject=" + certificate.getSubjectX500Principal(), e);
        }
    }

    private static String sha256Hex(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must support SHA-256
            throw new IllegalStateException("sha-256 is not available", e);
        }
    }
}
