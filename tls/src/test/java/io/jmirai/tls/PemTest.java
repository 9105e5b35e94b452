package io.jmirai.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PemTest {

    @Test
    void shouldWriteAndParseCertificatesInOrder() {
        TestPki.Chain pki = TestPki.chain();
        List<X509Certificate> chain = List.of(
                pki.leaf().certificate(),
                pki.intermediate().certificate(),
                pki.root().certificate());

        String pem = Pem.toPem(chain);

        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Pem.parseCertificates(pem)).containsExactlyElementsOf(chain);
    }

    @Test
    void shouldBeReadableByTheDaemonSideParser() {
        X509Certificate certificate = SingleUseCertificate.generate("127.0.0.1").certificate();

        assertThat(ClientTls.parseCertificates(Pem.toPem(certificate))).containsExactly(certificate);
    }

    @Test
    void shouldSkipNonCertificateBlocks() {
        TestPki.Chain pki = TestPki.chain();
        String pem = "subject=CN=test\n" + TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate()) + pki.chainPem();

        assertThat(Pem.parseCertificates(pem))
                .containsExactly(pki.leaf().certificate(), pki.intermediate().certificate());
    }

    @Test
    void shouldRejectPemWithoutCertificate() {
        assertThatThrownBy(() -> Pem.parseCertificates("hello"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no certificate found in pem: length=5");
    }

    @Test
    void shouldRejectMalformedCertificateBlock() {
        String malformed = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

        assertThatThrownBy(() -> Pem.parseCertificates(malformed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot parse pem");
    }

    @Test
    void shouldReadCertificatesFromFile(@TempDir Path dir) throws Exception {
        SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");
        Path file = Files.writeString(dir.resolve("cert.pem"), certificate.certificatePem());

        assertThat(Pem.readCertificates(file)).containsExactly(certificate.certificate());
        assertThatThrownBy(() -> Pem.readCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read pem file: path=");
    }

    @Test
    void shouldComputeSameFingerprintAsDaemonSide() {
        X509Certificate certificate = SingleUseCertificate.generate("127.0.0.1").certificate();

        assertThat(Pem.sha256Fingerprint(certificate))
                .hasSize(64)
                .isEqualTo(PinnedTrustManager.sha256Fingerprint(certificate));
    }
}
