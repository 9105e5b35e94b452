package io.jmirai.tls;

import java.io.IOException;
import java.io.StringWriter;
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
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/** A tiny test PKI built with Bouncy Castle: root CA, intermediate CA, leaf certificates and key PEM encodings. */
final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and the key pair it certifies. */
    record Issued(X509Certificate certificate, KeyPair keyPair) {}

    /** Root CA, intermediate CA and a server leaf for {@code 127.0.0.1}, {@code ::1} and {@code localhost}. */
    record Chain(Issued root, Issued intermediate, Issued leaf) {
        String chainPem() {
            return Pem.toPem(java.util.List.of(leaf.certificate(), intermediate.certificate()));
        }

        String rootPem() {
            return Pem.toPem(root.certificate());
        }
    }

    private TestPki() {}

    static Chain chain() {
        Issued root = ca("jmirai test root", null);
        Issued intermediate = ca("jmirai test intermediate", root);
        Issued leaf = leaf(
                ecKeyPair(),
                "jmirai test server",
                intermediate,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost"));
        return new Chain(root, intermediate, leaf);
    }

    static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Issued ca(String commonName, Issued issuer) {
        return issue(ecKeyPair(), commonName, issuer, true);
    }

    static Issued leaf(KeyPair keyPair, String commonName, Issued issuer, GeneralName... subjectAlternativeNames) {
        return issue(keyPair, commonName, issuer, false, subjectAlternativeNames);
    }

    private static Issued issue(
            KeyPair keyPair, String commonName, Issued issuer, boolean ca, GeneralName... subjectAlternativeNames) {
        try {
            X500Name subject = new X500Name("CN=" + commonName);
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(
                            issuer.certificate().getSubjectX500Principal().getEncoded());
            PrivateKey signingKey =
                    issuer == null ? keyPair.getPrivate() : issuer.keyPair().getPrivate();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuerName,
                    new BigInteger(64, RANDOM).setBit(0),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))),
                    subject,
                    keyPair.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            if (issuer != null) {
                builder.addExtension(
                        Extension.authorityKeyIdentifier,
                        false,
                        utils.createAuthorityKeyIdentifier(issuer.certificate()));
            }
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(
                        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                if (subjectAlternativeNames.length > 0) {
                    builder.addExtension(
                            Extension.subjectAlternativeName, false, new GeneralNames(subjectAlternativeNames));
                }
            }
            String signatureAlgorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(signingKey)));
            return new Issued(certificate, keyPair);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue test certificate: cn=" + commonName, e);
        }
    }

    /** {@code -----BEGIN ENCRYPTED PRIVATE KEY-----}: PBES2, AES-256-CBC, PBKDF2 with HMAC-SHA256. */
    static String encryptedPkcs8Pem(PrivateKey key, char[] password) {
        try {
            return write(new JcaPKCS8Generator(
                    key,
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                            .setPRF(PKCS8Generator.PRF_HMACSHA256)
                            .setProvider(new BouncyCastleProvider())
                            .setRandom(RANDOM)
                            .setPassword(password)
                            .build()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -----BEGIN PRIVATE KEY-----}. */
    static String pkcs8Pem(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code -----BEGIN EC PRIVATE KEY-----} as OpenSSL writes it (RFC 5915, named curve and public key included).
     * Bouncy Castle's own writer drops the curve for JDK keys, which no JCA provider can read back.
     */
    static String traditionalEcPem(KeyPair keyPair) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keyPair.getPrivate().getEncoded());
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey inner =
                    org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            org.bouncycastle.asn1.sec.ECPrivateKey withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    256,
                    inner.getKey(),
                    SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded())
                            .getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return write(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -----BEGIN RSA PRIVATE KEY-----} for an RSA key. */
    static String traditionalPem(PrivateKey key) {
        try {
            return write(new JcaMiscPEMGenerator(key));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Traditional key with {@code Proc-Type: 4,ENCRYPTED} (AES-128-CBC). */
    static String legacyEncryptedTraditionalPem(PrivateKey key, char[] password) {
        try {
            return write(new JcaMiscPEMGenerator(
                    key,
                    new JcePEMEncryptorBuilder("AES-128-CBC")
                            .setProvider(new BouncyCastleProvider())
                            .setSecureRandom(RANDOM)
                            .build(password)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(PemObjectGenerator generator) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(generator);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
