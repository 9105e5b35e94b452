package io.jmirai.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ClientTlsTest {

    private final SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");

    @Test
    void shouldBuildTls13OnlyPinnedClientContextWithoutHostNameVerification() {
        SslContext context = ClientTls.pinned(certificate.certificatePem());

        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 5555);
        assertThat(context.isClient()).isTrue();
        assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
        assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm())
                .isNull();
    }

    @Test
    void shouldBuildTls13OnlyCaChainClientContextWithHostNameVerification() {
        SslContext context = ClientTls.caChain(certificate.certificatePem());

        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "localhost", 5555);
        assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
        assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm())
                .isEqualTo("HTTPS");
    }

    @Test
    void shouldBuildCaChainClientContextFromFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), certificate.certificatePem());

        assertThat(ClientTls.caChain(file).isClient()).isTrue();
        assertThatThrownBy(() -> ClientTls.caChain(dir.resolve("missing.pem")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read pem file: path=");
    }

    @Test
    void shouldEnableGivenProtocols() {
        SslContext context = ClientTls.pinned(certificate.certificate(), List.of("TLSv1.3", "TLSv1.2"));

        assertThat(context.newEngine(ByteBufAllocator.DEFAULT).getEnabledProtocols())
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void shouldParseCertificatesIgnoringTextAndOtherBlocks() {
        SingleUseCertificate second = SingleUseCertificate.generate("localhost");
        String pem = "Bag Attributes\n" + certificate.certificatePem()
                + "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + second.certificatePem();

        assertThat(ClientTls.parseCertificates(pem)).containsExactly(certificate.certificate(), second.certificate());
    }

    @Test
    void shouldRejectPemWithoutCertificate() {
        assertThatThrownBy(() -> ClientTls.pinned("not a certificate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no certificate found in pem: length=17");
        assertThatThrownBy(() -> ClientTls.caChain(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no certificate found in pem: length=0");
    }

    @Test
    void shouldRejectUnparseableCertificateBlock() {
        String pem = certificate.certificatePem()
                + "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

        assertThatThrownBy(() -> ClientTls.caChain(pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot parse pem certificate: index=1");
    }

    @Test
    void shouldRejectMoreThanOneCertificateToPin() {
        String twoCertificates = certificate.certificatePem()
                + SingleUseCertificate.generate("127.0.0.1").certificatePem();

        assertThatThrownBy(() -> ClientTls.pinned(twoCertificates))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pinned pem must hold exactly one certificate: count=2");
    }

    @Test
    void shouldRejectEmptyTrustAnchors() {
        assertThatThrownBy(() -> ClientTls.caChain(List.of(), ClientTls.DEFAULT_PROTOCOLS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted : [] (expected: at least one certificate)");
    }
}
