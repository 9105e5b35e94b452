package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.tls.HostTls;
import io.jmirai.tls.Pem;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.Handshake;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A host with a CA-signed certificate and an encrypted PKCS#8 key; daemons verify the chain and the host name
 * against the CA, or pin the leaf.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CaSignedTlsTest {
    @Test
    void shouldServeDaemonsThatVerifyTheChainAndTheHostName() throws Exception {
        KeyPair caKey = ecKey();
        X509Certificate ca = certificate("CN=jmirai test CA", caKey, "CN=jmirai test CA", caKey, true, null);
        KeyPair leafKey = ecKey();
        X509Certificate leaf = certificate("CN=localhost", leafKey, "CN=jmirai test CA", caKey, false, "localhost");
        char[] password = "correct horse".toCharArray();
        HostTls hostTls = HostTls.fromPem(Pem.toPem(List.of(leaf, ca)), encryptedKeyPem(leafKey, password), password);

        try (Daemons daemons = Daemons.builder()
                .url("tls+tcp://127.0.0.1:0")
                .tls(hostTls)
                .local(1)
                .start()) {
            assertThat(daemons.certificatePem()).isEqualTo(Pem.toPem(leaf));
            assertThat(daemons.mirai(() -> "pinned leaf").get(Duration.ofSeconds(30)))
                    .isEqualTo("pinned leaf");

            int port = ListenUrl.parse(daemons.url()).port();
            Process byName = start("tls+tcp://localhost:" + port, Pem.toPem(ca), daemons.secret());
            Process byIp = start("tls+tcp://127.0.0.1:" + port, Pem.toPem(ca), daemons.secret());
            try {
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> daemons.status().connections() == 2);
                assertThat(byIp.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(byIp.exitValue()).isEqualTo(77);
                assertThat(new String(byIp.getInputStream().readAllBytes()))
                        .contains("tls handshake failed")
                        .containsIgnoringCase("subject alternative");
                assertThat(byName.isAlive()).isTrue();
            } finally {
                byName.destroyForcibly();
                byIp.destroyForcibly();
            }
        }
    }

    private static Process start(String url, String caPem, String secret) throws Exception {
        List<String> cmd = new ArrayList<>(
                new io.jmirai.launch.LocalLauncher().command(ListenUrl.parse(url), DaemonOptions.defaults(), null));
        cmd.add("--ca-pem=" + caPem);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(Handshake.SECRET_ENV, secret);
        return pb.start();
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(
            String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey, boolean isCa, String dnsName)
            throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(issuer),
                new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject),
                subjectKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (dnsName != null) {
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        }
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    }

    private static String encryptedKeyPem(KeyPair key, char[] password) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword(password)
                .build();
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key.getPrivate(), encryptor));
        }
        return out.toString();
    }
}
