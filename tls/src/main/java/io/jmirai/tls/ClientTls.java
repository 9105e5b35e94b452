package io.jmirai.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Factories for the client (daemon) side {@link SslContext}: trust one pinned certificate, or a CA chain with host name
 * verification. Uses only the JDK and Netty.
 *
 * <pre>{@code
 * // single-use TLS: the daemon got the host's certificate as PEM on its command line
 * SslContext pinned = ClientTls.pinned(certificatePem);
 * ch.pipeline().addLast(pinned.newHandler(ch.alloc(), host, port));
 *
 * // CA-signed host certificate: PKIX validation + host name verification
 * SslContext verified = ClientTls.caChain(caPem);
 * ch.pipeline().addLast(verified.newHandler(ch.alloc(), host, port)); // host must be in the server's SAN
 * }</pre>
 *
 * <p>All contexts use the JDK provider and, unless told otherwise, only {@link #DEFAULT_PROTOCOLS TLSv1.3}.
 *
 * <p>This class is stateless and thread-safe; the returned {@link SslContext}s are thread-safe and meant to be shared.
 */
public final class ClientTls {

    /** The protocols enabled by the factories that take no protocol list: {@code TLSv1.3} only. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3");

    private static final Pattern CERTIFICATE_BLOCK =
            Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);

    private ClientTls() {}

    /**
     * Returns a client context that trusts exactly the one certificate in {@code certificatePem} (see
     * {@link PinnedTrustManager}): no CA, no host name check, refused once the certificate has expired.
     *
     * @param certificatePem PEM text holding exactly one {@code CERTIFICATE} block.
     * @return a new client context, TLSv1.3 only.
     * @throws IllegalArgumentException if the PEM cannot be parsed or does not hold exactly one certificate.
     */
    public static SslContext pinned(String certificatePem) {
        List<X509Certificate> certificates = parseCertificates(certificatePem);
        if (certificates.size() != 1) {
            throw new IllegalArgumentException(
                    "pinned pem must hold exactly one certificate: count=" + certificates.size());
        }
        return pinned(certificates.get(0), DEFAULT_PROTOCOLS);
    }

    /**
     * Returns a client context that trusts exactly {@code certificate} (see {@link PinnedTrustManager}).
     *
     * @param certificate the certificate the server must present.
     * @param protocols the TLS protocols to enable, for example {@link #DEFAULT_PROTOCOLS}.
     * @return a new client context.
     * @throws IllegalArgumentException if the context cannot be built with these protocols.
     */
    public static SslContext pinned(X509Certificate certificate, List<String> protocols) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .trustManager(new PinnedTrustManager(certificate))
                // the pin identifies the server; host names would break SSH tunnels to 127.0.0.1
                .endpointIdentificationAlgorithm(null);
        return build(builder, protocols);
    }

    /**
     * Returns a client context that trusts the CA chain in {@code caPem}, with PKIX validation and host name
     * verification ({@code HTTPS} endpoint identification).
     *
     * <p>Every certificate in the PEM (leaf first, root last, or just the root) is a trust anchor. Create handlers
     * with {@link SslContext#newHandler(io.netty.buffer.ByteBufAllocator, String, int)} so that the host name to
     * verify is known; without it the handshake fails.
     *
     * @param caPem PEM text holding one or more {@code CERTIFICATE} blocks; other blocks are ignored.
     * @return a new client context, TLSv1.3 only.
     * @throws IllegalArgumentException if the PEM cannot be parsed or holds no certificate.
     */
    public static SslContext caChain(String caPem) {
        return caChain(parseCertificates(caPem), DEFAULT_PROTOCOLS);
    }

    /**
     * Like {@link #caChain(String)}, reading the PEM from a file.
     *
     * @param caPemFile a PEM file holding one or more certificates.
     * @return a new client context, TLSv1.3 only.
     * @throws IllegalArgumentException if the PEM cannot be parsed or holds no certificate.
     * @throws UncheckedIOException if the file cannot be read.
     */
    public static SslContext caChain(Path caPemFile) {
        return caChain(readPem(caPemFile));
    }

    /**
     * Returns a client context that trusts {@code trusted} as anchors, with PKIX validation and host name
     * verification, as {@link #caChain(String)} describes.
     *
     * @param trusted the trust anchors, at least one.
     * @param protocols the TLS protocols to enable, for example {@link #DEFAULT_PROTOCOLS}.
     * @return a new client context.
     * @throws IllegalArgumentException if {@code trusted} is empty or the context cannot be built.
     */
    public static SslContext caChain(List<X509Certificate> trusted, List<String> protocols) {
        Objects.requireNonNull(trusted, "trusted");
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("trusted : [] (expected: at least one certificate)");
        }
        SslContextBuilder builder =
                SslContextBuilder.forClient().trustManager(trusted).endpointIdentificationAlgorithm("HTTPS");
        return build(builder, protocols);
    }

    /**
     * Parses every {@code CERTIFICATE} block of a PEM text with the JDK's {@link CertificateFactory}, in order. Text
     * outside the blocks and blocks of other types (keys, parameters) are ignored.
     *
     * @param pem the PEM text.
     * @return the certificates, never empty.
     * @throws IllegalArgumentException if there is no certificate block or a block cannot be parsed.
     */
    public static List<X509Certificate> parseCertificates(String pem) {
        Objects.requireNonNull(pem, "pem");
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("x.509 certificate factory is not available", e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher matcher = CERTIFICATE_BLOCK.matcher(pem);
        while (matcher.find()) {
            int index = certificates.size();
            try {
                byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw new IllegalArgumentException("cannot parse pem certificate: index=" + index, e);
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate found in pem: length=" + pem.length());
        }
        return List.copyOf(certificates);
    }

    private static String readPem(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            // ISO-8859-1 never fails to decode; PEM itself is ASCII
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pem file: path=" + file, e);
        }
    }

    private static SslContext build(SslContextBuilder builder, List<String> protocols) {
        Objects.requireNonNull(protocols, "protocols");
        try {
            return builder.sslProvider(SslProvider.JDK).protocols(protocols).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot build client ssl context: protocols=" + protocols, e);
        }
    }
}
