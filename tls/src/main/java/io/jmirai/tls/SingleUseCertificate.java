package io.jmirai.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate generated at start for one listen host, with an EC P-256 key that exists only in memory
 * (mirai's single-use TLS). Generation takes milliseconds.
 *
 * <p>The certificate's subject is {@code CN=<host>}; its SubjectAlternativeName holds the host (an {@code iPAddress}
 * entry for an IP literal, a {@code dNSName} entry otherwise), plus {@code 127.0.0.1}, {@code ::1} and
 * {@code localhost} when the host is a loopback or wildcard address ({@code 0.0.0.0}, {@code ::}, {@code localhost}).
 * It is valid from one hour ago (for clock skew) for a configurable duration, {@link #DEFAULT_VALIDITY} by default,
 * and has a random serial number.
 *
 * <p>The host keeps this object and serves with {@link #serverContext()}; daemons get only {@link #certificatePem()}
 * and pin it ({@code io.jmirai.tls.ClientTls.pinned(String)}). The private key is never written anywhere,
 * is not exposed by any method and is not part of {@link #toString()}.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class SingleUseCertificate {

    /** The default validity: 7 days. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);

    /** The protocols enabled by {@link #serverContext()}: {@code TLSv1.3} only. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3");

    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String certificatePem;

    private SingleUseCertificate(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.certificatePem = Pem.toPem(certificate);
    }

    /**
     * Generates a certificate for {@code host} valid for {@link #DEFAULT_VALIDITY}.
     *
     * @param host the listen host: a name, an IPv4 or IPv6 literal (brackets allowed), or a wildcard address.
     * @return a new certificate with a new key.
     * @throws IllegalArgumentException if {@code host} is empty.
     */
    public static SingleUseCertificate generate(String host) {
        return generate(host, DEFAULT_VALIDITY);
    }

    /**
     * Generates a certificate for {@code host}, valid from one hour ago until {@code validity} from now.
     *
     * @param host the listen host: a name, an IPv4 or IPv6 literal (brackets allowed), or a wildcard address.
     * @param validity how long from now the certificate stays valid; positive.
     * @return a new certificate with a new key.
     * @throws IllegalArgumentException if {@code host} is empty or {@code validity} is not positive.
     */
    public static SingleUseCertificate generate(String host, Duration validity) {
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity : " + validity + " (expected: > 0)");
        }
        Instant now = Instant.now();
        return generate(host, now.minus(CLOCK_SKEW), now.plus(validity));
    }

    /**
     * Generates a certificate for {@code host} with an explicit validity period, for tests (an already expired
     * certificate) and callers that manage clock skew themselves.
     *
     * @param host the listen host: a name, an IPv4 or IPv6 literal (brackets allowed), or a wildcard address.
     * @param notBefore the start of the validity period.
     * @param notAfter the end of the validity period; after {@code notBefore}.
     * @return a new certificate with a new key.
     * @throws IllegalArgumentException if {@code host} is empty or {@code notAfter} is not after {@code notBefore}.
     */
    public static SingleUseCertificate generate(String host, Instant notBefore, Instant notAfter) {
        String name = normalizeHost(host);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter : " + notAfter + " (expected: > notBefore=" + notBefore + ")");
        }
        GeneralNames subjectAlternativeNames = subjectAlternativeNames(name);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keyPair = generator.generateKeyPair();

            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, name)
                    .build();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(159, RANDOM).setBit(0), // positive, at most 20 bytes, never zero
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject,
                    keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames);

            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
            X509CertificateHolder holder = builder.build(signer);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            return new SingleUseCertificate(certificate, keyPair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot generate self-signed certificate: host=" + name, e);
        }
    }

    /**
     * Returns the private key as an unencrypted PKCS#8 PEM, for a host that must keep its certificate across restarts
     * (the standalone server stores it in its job store, next to the secret, so daemons that pinned the certificate
     * are admitted again). Whoever calls this takes the key out of this JVM's memory and must protect it.
     *
     * @return the key as {@code -----BEGIN PRIVATE KEY-----} PEM; {@link HostTls#fromPem} reads it back.
     */
    public String privateKeyPem() {
        String base64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * Returns the certificate.
     *
     * @return the self-signed certificate.
     */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Returns the certificate as one PEM {@code CERTIFICATE} block: what daemons get to pin.
     *
     * @return the PEM text.
     */
    public String certificatePem() {
        return certificatePem;
    }

    /**
     * Returns the SHA-256 fingerprint of the certificate (lowercase hex, no separators), as daemons report it.
     *
     * @return the fingerprint.
     */
    public String sha256Fingerprint() {
        return Pem.sha256Fingerprint(certificate);
    }

    /**
     * Builds a server context with this certificate and key, JDK provider, {@link #DEFAULT_PROTOCOLS TLSv1.3} only.
     * Each call builds a new context; build it once and share it.
     *
     * @return a new server context.
     */
    public SslContext serverContext() {
        return serverContext(DEFAULT_PROTOCOLS);
    }

    /**
     * Builds a server context with this certificate and key and the given protocols, JDK provider.
     *
     * @param protocols the TLS protocols to enable, for example {@code List.of("TLSv1.3", "TLSv1.2")}.
     * @return a new server context.
     * @throws IllegalArgumentException if the context cannot be built with these protocols.
     */
    public SslContext serverContext(List<String> protocols) {
        return buildServerContext(SslContextBuilder.forServer(privateKey, certificate), protocols);
    }

    @Override
    public String toString() {
        return "SingleUseCertificate{subject="
                + certificate.getSubjectX500Principal().getName() + ", notBefore="
                + certificate.getNotBefore().toInstant() + ", notAfter="
                + certificate.getNotAfter().toInstant()
                + ", sha256=" + sha256Fingerprint() + "}";
    }

    static SslContext buildServerContext(SslContextBuilder builder, List<String> protocols) {
        Objects.requireNonNull(protocols, "protocols");
        try {
            return builder.sslProvider(SslProvider.JDK).protocols(protocols).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot build server ssl context: protocols=" + protocols, e);
        }
    }

    private static String normalizeHost(String host) {
        Objects.requireNonNull(host, "host");
        String name = host.trim();
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("host : '" + host + "' (expected: an ascii host name or ip address)");
        }
        return name;
    }

    private static boolean isHostName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == '_';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    private static GeneralNames subjectAlternativeNames(String host) {
        Set<GeneralName> names = new LinkedHashSet<>();
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip != null) {
            names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip)));
        } else if (isHostName(host)) {
            names.add(new GeneralName(GeneralName.dNSName, host));
        } else {
            throw new IllegalArgumentException("host : '" + host + "' (expected: an ascii host name or ip address)");
        }
        if (isLoopbackOrWildcard(host, ip)) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            names.add(new GeneralName(GeneralName.iPAddress, "::1"));
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        }
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static boolean isLoopbackOrWildcard(String host, byte[] ip) {
        if (ip == null) {
            return host.toLowerCase(Locale.ROOT).equals("localhost");
        }
        if (ip.length == 4) {
            return ip[0] == 127 || (ip[0] | ip[1] | ip[2] | ip[3]) == 0;
        }
        for (int i = 0; i < 15; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[15] == 0 || ip[15] == 1; // :: or ::1
    }
}
