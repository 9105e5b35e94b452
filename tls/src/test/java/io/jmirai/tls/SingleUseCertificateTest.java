package io.jmirai.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class SingleUseCertificateTest {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    @Test
    void shouldPutIpAddressInCommonNameAndIpAddressSan() throws Exception {
        X509Certificate certificate =
                SingleUseCertificate.generate("192.0.2.10").certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=192.0.2.10");
        assertThat(certificate.getSubjectAlternativeNames()).containsExactly(List.of(IP_ADDRESS, "192.0.2.10"));
    }

    @Test
    void shouldPutHostNameInCommonNameAndDnsNameSan() throws Exception {
        X509Certificate certificate =
                SingleUseCertificate.generate("node-17.cluster.example").certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=node-17.cluster.example");
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(List.of(DNS_NAME, "node-17.cluster.example"));
    }

    @Test
    void shouldAcceptBracketedIpv6Address() throws Exception {
        X509Certificate certificate =
                SingleUseCertificate.generate("[2001:db8::7]").certificate();

        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(List.of(IP_ADDRESS, "2001:db8:0:0:0:0:0:7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "[::]", "127.0.0.1", "127.0.1.1", "::1", "localhost", "LOCALHOST"})
    void shouldAddLoopbackNamesForLoopbackAndWildcardHosts(String host) throws Exception {
        X509Certificate certificate = SingleUseCertificate.generate(host).certificate();

        assertThat(certificate.getSubjectAlternativeNames())
                .contains(
                        List.of(IP_ADDRESS, "127.0.0.1"),
                        List.of(IP_ADDRESS, "0:0:0:0:0:0:0:1"),
                        List.of(DNS_NAME, "localhost"))
                .doesNotHaveDuplicates();
    }

    @Test
    void shouldUseEcP256KeyAndSelfSignWithSha256WithEcdsa() throws Exception {
        X509Certificate certificate = SingleUseCertificate.generate("127.0.0.1").certificate();

        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().toString())
                .contains("secp256r1");
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void shouldBeValidFromOneHourAgoForRequestedDuration() {
        Instant now = Instant.now();
        X509Certificate certificate =
                SingleUseCertificate.generate("127.0.0.1", Duration.ofHours(3)).certificate();

        assertThat(certificate.getNotBefore().toInstant())
                .isCloseTo(now.minus(Duration.ofHours(1)), within(1, ChronoUnit.MINUTES));
        assertThat(certificate.getNotAfter().toInstant())
                .isCloseTo(now.plus(Duration.ofHours(3)), within(1, ChronoUnit.MINUTES));
    }

    @Test
    void shouldBeValidForSevenDaysByDefault() {
        Instant now = Instant.now();
        X509Certificate certificate = SingleUseCertificate.generate("127.0.0.1").certificate();

        assertThat(SingleUseCertificate.DEFAULT_VALIDITY).isEqualTo(Duration.ofDays(7));
        assertThat(certificate.getNotAfter().toInstant())
                .isCloseTo(now.plus(Duration.ofDays(7)), within(1, ChronoUnit.MINUTES));
    }

    @Test
    void shouldUseExplicitValidityPeriod() {
        Instant notBefore = Instant.parse("2020-01-01T00:00:00Z");
        Instant notAfter = Instant.parse("2020-01-02T00:00:00Z");

        X509Certificate certificate =
                SingleUseCertificate.generate("127.0.0.1", notBefore, notAfter).certificate();

        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(notBefore);
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(notAfter);
    }

    @Test
    void shouldUseRandomPositiveSerialNumbers() {
        X509Certificate first = SingleUseCertificate.generate("127.0.0.1").certificate();
        X509Certificate second = SingleUseCertificate.generate("127.0.0.1").certificate();

        assertThat(first.getSerialNumber()).isPositive().isNotEqualTo(second.getSerialNumber());
        assertThat(first.getSerialNumber().bitLength()).isLessThanOrEqualTo(159);
    }

    @Test
    void shouldRejectNonPositiveValidity() {
        assertThatThrownBy(() -> SingleUseCertificate.generate("127.0.0.1", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validity : PT0S (expected: > 0)");
        assertThatThrownBy(() -> SingleUseCertificate.generate("127.0.0.1", Duration.ofDays(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectNotAfterBeforeNotBefore() {
        Instant now = Instant.now();

        assertThatThrownBy(() -> SingleUseCertificate.generate("127.0.0.1", now, now.minusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("notAfter : ");
    }

    @Test
    void shouldRejectEmptyHost() {
        assertThatThrownBy(() -> SingleUseCertificate.generate(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host : ");
        assertThatThrownBy(() -> SingleUseCertificate.generate("[]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SingleUseCertificate.generate("h\u00e9llo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host : ");
    }

    @Test
    void shouldExportOnlyTheCertificateAsPem() {
        SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");

        assertThat(certificate.certificatePem())
                .startsWith("-----BEGIN CERTIFICATE-----")
                .doesNotContain("PRIVATE");
        assertThat(Pem.parseCertificates(certificate.certificatePem())).containsExactly(certificate.certificate());
    }

    @Test
    void shouldNotRevealPrivateKeyInToString() {
        SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");

        assertThat(certificate.toString())
                .contains("CN=127.0.0.1", "sha256=" + certificate.sha256Fingerprint())
                .doesNotContainIgnoringCase("private");
        assertThat(certificate.sha256Fingerprint())
                .hasSize(64)
                .isEqualTo(certificate.sha256Fingerprint().toLowerCase(Locale.ROOT));
    }

    @Test
    void shouldBuildTls13OnlyServerContext() {
        SslContext context = SingleUseCertificate.generate("127.0.0.1").serverContext();

        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        assertThat(context.isServer()).isTrue();
        assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
    }

    @Test
    void shouldBuildServerContextWithGivenProtocols() {
        SslContext context = SingleUseCertificate.generate("127.0.0.1").serverContext(List.of("TLSv1.3", "TLSv1.2"));

        assertThat(context.newEngine(ByteBufAllocator.DEFAULT).getEnabledProtocols())
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void shouldGenerateCertificatesInMilliseconds() {
        List<Long> nanos = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");
            nanos.add(System.nanoTime() - start);
            fingerprints.add(certificate.sha256Fingerprint());
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        double medianMillis = (sorted.get(4) + sorted.get(5)) / 2 / 1e6;
        System.out.printf(
                Locale.ROOT,
                "single-use certificate generation: count=10, firstMillis=%.2f, medianMillis=%.2f, maxMillis=%.2f%n",
                nanos.get(0) / 1e6,
                medianMillis,
                sorted.get(9) / 1e6);

        // timing is printed, not asserted: CI machines vary
        assertThat(fingerprints).hasSize(10).doesNotHaveDuplicates();
    }
}
