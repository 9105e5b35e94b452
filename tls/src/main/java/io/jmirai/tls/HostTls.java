package io.jmirai.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The host's TLS identity from a CA-signed certificate chain and its private key, given as PEM text or files, for
 * deployments that do not use a {@link SingleUseCertificate}.
 *
 * <p>The chain is leaf first (intermediates may follow; the root may be omitted). The key may be PKCS#8
 * ({@code PRIVATE KEY}), encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, with a password), or traditional OpenSSL
 * ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}, optionally with legacy {@code Proc-Type: 4,ENCRYPTED}). Other PEM
 * blocks in either input are skipped, so chain and key may share one file. The key must match the leaf certificate.
 * EC, RSA and EdDSA keys are supported.
 *
 * <pre>{@code
 * HostTls tls = HostTls.fromFiles(Path.of("chain.pem"), Path.of("key.pem"), password);
 * SslContext server = tls.serverContext();     // TLSv1.3 only
 * // daemons: ClientTls.caChain(rootCaPem), or ClientTls.pinned(tls.certificatePem())
 * }</pre>
 *
 * <p>The private key lives only in memory: it is not exposed by any method and is not part of {@link #toString()}.
 * The password is used during parsing and not kept.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class HostTls {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final String certificatePem;

    private HostTls(List<X509Certificate> chain, PrivateKey privateKey) {
        this.chain = List.copyOf(chain);
        this.privateKey = privateKey;
        this.certificatePem = Pem.toPem(chain.get(0));
    }

    /**
     * Creates the identity from PEM text with an unencrypted private key.
     *
     * @param chainPem the certificate chain, leaf first.
     * @param privateKeyPem the leaf's private key, unencrypted.
     * @return the identity.
     * @throws IllegalArgumentException if a PEM is malformed, the key is encrypted, or the key does not match the leaf.
     */
    public static HostTls fromPem(String chainPem, String privateKeyPem) {
        return fromPem(chainPem, privateKeyPem, null);
    }

    /**
     * Creates the identity from PEM text.
     *
     * @param chainPem the certificate chain, leaf first.
     * @param privateKeyPem the leaf's private key.
     * @param password the key's password, or {@code null} if the key is not encrypted; not kept.
     * @return the identity.
     * @throws IllegalArgumentException if a PEM is malformed, the password is missing or wrong, or the key does not
     *     match the leaf certificate.
     */
    public static HostTls fromPem(String chainPem, String privateKeyPem, char[] password) {
        List<X509Certificate> chain = Pem.parseCertificates(Objects.requireNonNull(chainPem, "chainPem"));
        PrivateKey key = parsePrivateKey(Objects.requireNonNull(privateKeyPem, "privateKeyPem"), password);
        checkKeyMatches(key, chain.get(0));
        return new HostTls(chain, key);
    }

    /**
     * Creates the identity from PEM files (they may be the same file).
     *
     * @param chainFile the certificate chain, leaf first.
     * @param privateKeyFile the leaf's private key.
     * @param password the key's password, or {@code null} if the key is not encrypted; not kept.
     * @return the identity.
     * @throws IllegalArgumentException if a PEM is malformed, the password is missing or wrong, or the key does not
     *     match the leaf certificate.
     * @throws UncheckedIOException if a file cannot be read.
     */
    public static HostTls fromFiles(Path chainFile, Path privateKeyFile, char[] password) {
        return fromPem(Pem.read(chainFile), Pem.read(privateKeyFile), password);
    }

    /**
     * Returns the leaf certificate.
     *
     * @return the first certificate of the chain.
     */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /**
     * Returns the certificate chain as given, leaf first.
     *
     * @return an unmodifiable list, never empty.
     */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * Returns the leaf certificate as one PEM {@code CERTIFICATE} block, for daemons that pin it.
     *
     * @return the PEM text.
     */
    public String certificatePem() {
        return certificatePem;
    }

    /**
     * Builds a server context with the chain and key, JDK provider, {@code TLSv1.3} only. Each call builds a new
     * context; build it once and share it.
     *
     * @return a new server context.
     */
    public SslContext serverContext() {
        return serverContext(SingleUseCertificate.DEFAULT_PROTOCOLS);
    }

    /**
     * Builds a server context with the chain and key and the given protocols, JDK provider.
     *
     * @param protocols the TLS protocols to enable, for example {@code List.of("TLSv1.3", "TLSv1.2")}.
     * @return a new server context.
     * @throws IllegalArgumentException if the context cannot be built with these protocols.
     */
    public SslContext serverContext(List<String> protocols) {
        return SingleUseCertificate.buildServerContext(SslContextBuilder.forServer(privateKey, chain), protocols);
    }

    @Override
    public String toString() {
        X509Certificate leaf = chain.get(0);
        return "HostTls{subject=" + leaf.getSubjectX500Principal().getName() + ", issuer="
                + leaf.getIssuerX500Principal().getName() + ", notAfter="
                + leaf.getNotAfter().toInstant()
                + ", chainLength=" + chain.size() + ", sha256=" + Pem.sha256Fingerprint(leaf) + "}";
    }

    private static PrivateKey parsePrivateKey(String pem, char[] password) {
        Object object = readKeyObject(pem);
        PrivateKeyInfo info;
        if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            info = decrypt(encrypted, password);
        } else if (object instanceof PEMEncryptedKeyPair encrypted) {
            info = decrypt(encrypted, password);
        } else if (object instanceof PEMKeyPair keyPair) {
            info = keyPair.getPrivateKeyInfo();
        } else {
            info = (PrivateKeyInfo) object;
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (PEMException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot convert private key: algorithm="
                            + info.getPrivateKeyAlgorithm().getAlgorithm(),
                    e);
        }
    }

    private static Object readKeyObject(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PKCS8EncryptedPrivateKeyInfo
                        || object instanceof PEMEncryptedKeyPair
                        || object instanceof PEMKeyPair
                        || object instanceof PrivateKeyInfo) {
                    return object;
                }
                // skip certificates and EC parameters
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser reports malformed base64 or DER as IOException or as an unchecked DecoderException
            throw new IllegalArgumentException("cannot parse private key pem: length=" + pem.length(), e);
        }
        throw new IllegalArgumentException("no private key found in pem: length=" + pem.length());
    }

    // Decryption uses a private, unregistered Bouncy Castle provider instance: the JDK has no "AES/CBC/PKCS7Padding"
    // cipher, which is what Bouncy Castle asks for. Created per call because it is needed once, at start.
    private static PrivateKeyInfo decrypt(PKCS8EncryptedPrivateKeyInfo encrypted, char[] password) {
        requirePassword(password);
        try {
            return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(new BouncyCastleProvider())
                    .build(password));
        } catch (PKCSException | OperatorCreationException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot decrypt private key: wrong password or corrupt key, format=pkcs8, algorithm="
                            + encrypted.getEncryptionAlgorithm().getAlgorithm(),
                    e);
        }
    }

    private static PrivateKeyInfo decrypt(PEMEncryptedKeyPair encrypted, char[] password) {
        requirePassword(password);
        try {
            return encrypted
                    .decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                            .setProvider(new BouncyCastleProvider())
                            .build(password))
                    .getPrivateKeyInfo();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot decrypt private key: wrong password or corrupt key, format=traditional, algorithm="
                            + encrypted.getDekAlgName(),
                    e);
        }
    }

    private static void requirePassword(char[] password) {
        if (password == null) {
            throw new IllegalArgumentException("cannot decrypt private key: key is encrypted, password=null");
        }
    }

    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf) {
        PublicKey publicKey = leaf.getPublicKey();
        String subject = leaf.getSubjectX500Principal().getName();
        if (!sameFamily(key.getAlgorithm(), publicKey.getAlgorithm())) {
            throw new IllegalArgumentException("private key does not match certificate: keyAlgorithm="
                    + key.getAlgorithm() + ", certificateKeyAlgorithm=" + publicKey.getAlgorithm() + ", subject="
                    + subject);
        }
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        boolean matches;
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "private key does not match certificate: keyAlgorithm=" + key.getAlgorithm() + ", subject="
                            + subject,
                    e);
        }
        if (!matches) {
            throw new IllegalArgumentException("private key does not match certificate: keyAlgorithm="
                    + key.getAlgorithm() + ", subject=" + subject + ", sha256=" + Pem.sha256Fingerprint(leaf));
        }
    }

    private static boolean sameFamily(String keyAlgorithm, String publicKeyAlgorithm) {
        return signatureAlgorithm(keyAlgorithm).equals(signatureAlgorithm(publicKeyAlgorithm));
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default ->
                throw new IllegalArgumentException("unsupported private key algorithm: algorithm=" + keyAlgorithm
                        + " (expected: EC, RSA, Ed25519 or Ed448)");
        };
    }
}
