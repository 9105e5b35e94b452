package io.jmirai.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HostTlsTest {

    private static final char[] PASSWORD = "s3cret".toCharArray();

    private static TestPki.Chain pki;

    @BeforeAll
    static void createPki() {
        pki = TestPki.chain();
    }

    @Test
    void shouldLoadChainWithEncryptedPkcs8Key() {
        String keyPem = TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD);

        HostTls tls = HostTls.fromPem(pki.chainPem(), keyPem, PASSWORD);

        assertThat(keyPem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(tls.certificate()).isEqualTo(pki.leaf().certificate());
        assertThat(tls.chain())
                .containsExactly(pki.leaf().certificate(), pki.intermediate().certificate());
        assertThat(tls.certificatePem()).isEqualTo(Pem.toPem(pki.leaf().certificate()));
    }

    @Test
    void shouldLoadUnencryptedPkcs8Key() {
        String keyPem = TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate());

        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(HostTls.fromPem(pki.chainPem(), keyPem).certificate())
                .isEqualTo(pki.leaf().certificate());
    }

    @Test
    void shouldLoadTraditionalEcKey() {
        String keyPem = TestPki.traditionalEcPem(pki.leaf().keyPair());

        assertThat(keyPem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(HostTls.fromPem(pki.chainPem(), keyPem).certificate())
                .isEqualTo(pki.leaf().certificate());
    }

    @Test
    void shouldLoadTraditionalRsaKey() {
        KeyPair rsa = TestPki.rsaKeyPair();
        TestPki.Issued leaf =
                TestPki.leaf(rsa, "rsa server", pki.intermediate(), new GeneralName(GeneralName.dNSName, "localhost"));
        String keyPem = TestPki.traditionalPem(rsa.getPrivate());

        HostTls tls = HostTls.fromPem(Pem.toPem(leaf.certificate()), keyPem);

        assertThat(keyPem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(tls.certificate()).isEqualTo(leaf.certificate());
    }

    @Test
    void shouldLoadLegacyEncryptedTraditionalKey() {
        KeyPair rsa = TestPki.rsaKeyPair();
        TestPki.Issued leaf =
                TestPki.leaf(rsa, "rsa server", pki.intermediate(), new GeneralName(GeneralName.dNSName, "localhost"));
        String keyPem = TestPki.legacyEncryptedTraditionalPem(rsa.getPrivate(), PASSWORD);

        HostTls tls = HostTls.fromPem(Pem.toPem(leaf.certificate()), keyPem, PASSWORD);

        assertThat(keyPem).startsWith("-----BEGIN RSA PRIVATE KEY-----").contains("Proc-Type: 4,ENCRYPTED");
        assertThat(tls.certificate()).isEqualTo(leaf.certificate());
        assertThatThrownBy(() -> HostTls.fromPem(Pem.toPem(leaf.certificate()), keyPem, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "cannot decrypt private key: wrong password or corrupt key, format=traditional");
    }

    @Test
    void shouldLoadChainAndKeyFromFiles(@TempDir Path dir) throws Exception {
        Path chain = Files.writeString(dir.resolve("chain.pem"), pki.chainPem(), StandardCharsets.US_ASCII);
        Path key = Files.writeString(
                dir.resolve("key.pem"),
                TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD),
                StandardCharsets.US_ASCII);

        HostTls tls = HostTls.fromFiles(chain, key, PASSWORD);

        assertThat(tls.chain()).hasSize(2);
    }

    @Test
    void shouldLoadChainAndKeyFromOneCombinedPem() {
        String combined = TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate()) + pki.chainPem();

        HostTls tls = HostTls.fromPem(combined, combined);

        assertThat(tls.chain())
                .containsExactly(pki.leaf().certificate(), pki.intermediate().certificate());
    }

    @Test
    void shouldRejectWrongPassword() {
        String keyPem = TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD);

        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), keyPem, "wrong".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot decrypt private key: wrong password or corrupt key, format=pkcs8");
    }

    @Test
    void shouldRejectEncryptedKeyWithoutPassword() {
        String keyPem = TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD);

        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), keyPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot decrypt private key: key is encrypted, password=null");
    }

    @Test
    void shouldRejectKeyThatDoesNotMatchCertificate() {
        String otherKeyPem = TestPki.pkcs8Pem(TestPki.ecKeyPair().getPrivate());

        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), otherKeyPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("private key does not match certificate: keyAlgorithm=EC")
                .hasMessageContaining(
                        "sha256=" + Pem.sha256Fingerprint(pki.leaf().certificate()));
    }

    @Test
    void shouldRejectKeyOfOtherAlgorithmThanCertificate() {
        String rsaKeyPem = TestPki.pkcs8Pem(TestPki.rsaKeyPair().getPrivate());

        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), rsaKeyPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "private key does not match certificate: keyAlgorithm=RSA, certificateKeyAlgorithm=EC");
    }

    @Test
    void shouldRejectPemWithoutKey() {
        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), pki.chainPem()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no private key found in pem");
    }

    @Test
    void shouldRejectMalformedKeyPem() {
        String malformed = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";

        assertThatThrownBy(() -> HostTls.fromPem(pki.chainPem(), malformed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot parse private key pem");
    }

    @Test
    void shouldRejectMalformedChainPem() {
        String keyPem = TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate());

        assertThatThrownBy(() -> HostTls.fromPem("not a pem", keyPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no certificate found in pem");
    }

    @Test
    void shouldBuildTls13OnlyServerContextAndHideKeyInToString() {
        HostTls tls = HostTls.fromPem(
                pki.chainPem(), TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate()));

        SslContext context = tls.serverContext();

        assertThat(context.isServer()).isTrue();
        assertThat(context.newEngine(ByteBufAllocator.DEFAULT).getEnabledProtocols())
                .containsExactly("TLSv1.3");
        assertThat(tls.toString())
                .contains("CN=jmirai test server", "chainLength=2")
                .doesNotContainIgnoringCase("private");
    }
}
