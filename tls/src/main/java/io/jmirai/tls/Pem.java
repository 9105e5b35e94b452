package io.jmirai.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * PEM helpers for certificates (Bouncy Castle {@link JcaPEMWriter} and {@link PEMParser}). There is deliberately no
 * helper that writes a private key.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class Pem {

    private Pem() {}

    /**
     * Encodes one certificate as a PEM {@code CERTIFICATE} block.
     *
     * @param certificate the certificate.
     * @return the PEM text, ending with a line separator.
     * @throws IllegalArgumentException if the certificate cannot be encoded.
     */
    public static String toPem(X509Certificate certificate) {
        return toPem(List.of(Objects.requireNonNull(certificate, "certificate")));
    }

    /**
     * Encodes certificates as consecutive PEM {@code CERTIFICATE} blocks, in the given order (for a chain: leaf first).
     *
     * @param certificates the certificates.
     * @return the PEM text, empty if there are no certificates.
     * @throws IllegalArgumentException if a certificate cannot be encoded.
     */
    public static String toPem(List<X509Certificate> certificates) {
        Objects.requireNonNull(certificates, "certificates");
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode certificate as pem: count=" + certificates.size(), e);
        }
        return out.toString();
    }

    /**
     * Parses every {@code CERTIFICATE} block of a PEM text, in order. Blocks of other types (keys, parameters) are
     * skipped, so one file may hold both a chain and its key.
     *
     * @param pem the PEM text.
     * @return the certificates, never empty.
     * @throws IllegalArgumentException if the PEM is malformed or holds no certificate.
     */
    public static List<X509Certificate> parseCertificates(String pem) {
        Objects.requireNonNull(pem, "pem");
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof X509CertificateHolder) {
                    certificates.add(converter.getCertificate((X509CertificateHolder) object));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            // PEMParser reports malformed base64 or DER as IOException or as an unchecked DecoderException
            throw new IllegalArgumentException("cannot parse pem: certificatesRead=" + certificates.size(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate found in pem: length=" + pem.length());
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads a PEM file and parses its certificates as {@link #parseCertificates(String)} does.
     *
     * @param file the PEM file.
     * @return the certificates, never empty.
     * @throws IllegalArgumentException if the PEM is malformed or holds no certificate.
     * @throws UncheckedIOException if the file cannot be read.
     */
    public static List<X509Certificate> readCertificates(Path file) {
        return parseCertificates(read(file));
    }

    /**
     * Returns the SHA-256 fingerprint of a certificate's DER encoding as lowercase hex without separators (64
     * characters), the format the daemon side prints in its trust errors.
     *
     * @param certificate the certificate.
     * @return the fingerprint.
     * @throws IllegalArgumentException if the certificate cannot be encoded.
     */
    public static String sha256Fingerprint(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException(
                    "cannot encode certificate: subject=" + certificate.getSubjectX500Principal(), e);
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must support SHA-256
            throw new IllegalStateException("sha-256 is not available", e);
        }
    }

    static String read(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            // ISO-8859-1 never fails to decode; PEM itself is ASCII
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pem file: path=" + file, e);
        }
    }
}
