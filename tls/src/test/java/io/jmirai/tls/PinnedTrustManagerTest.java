package io.jmirai.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PinnedTrustManagerTest {

    // certificates come from the host side generator; this class itself only needs the JDK
    private final SingleUseCertificate pinned = SingleUseCertificate.generate("127.0.0.1");
    private final PinnedTrustManager trustManager = new PinnedTrustManager(pinned.certificate());

    @Test
    void shouldTrustPinnedCertificate() {
        X509Certificate[] chain = {pinned.certificate()};

        assertThatCode(() -> {
                    trustManager.checkServerTrusted(chain, "EC");
                    trustManager.checkServerTrusted(chain, "EC", (SSLEngine) null);
                    trustManager.checkClientTrusted(chain, "EC");
                })
                .doesNotThrowAnyException();
    }

    @Test
    void shouldTrustPinnedCertificateWhateverTheHostName() {
        // the pin was made for 127.0.0.1; a certificate for another name is trusted the same way when pinned
        SingleUseCertificate remote = SingleUseCertificate.generate("node-17.cluster.example");
        PinnedTrustManager remotePin = new PinnedTrustManager(remote.certificate());

        assertThatCode(() -> remotePin.checkServerTrusted(new X509Certificate[] {remote.certificate()}, "EC"))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectOtherCertificateNamingBothFingerprints() {
        SingleUseCertificate other = SingleUseCertificate.generate("127.0.0.1");

        assertThatThrownBy(() -> trustManager.checkServerTrusted(new X509Certificate[] {other.certificate()}, "EC"))
                .isInstanceOf(CertificateException.class)
                .hasMessage("server certificate is not the pinned certificate: expected sha256="
                        + pinned.sha256Fingerprint() + ", actual sha256=" + other.sha256Fingerprint()
                        + ", actual subject=CN=127.0.0.1");
    }

    @Test
    void shouldRejectChainWhoseLeafIsNotPinnedEvenIfPinnedCertificateFollows() {
        SingleUseCertificate other = SingleUseCertificate.generate("127.0.0.1");
        X509Certificate[] chain = {other.certificate(), pinned.certificate()};

        assertThatThrownBy(() -> trustManager.checkServerTrusted(chain, "EC"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("actual sha256=" + other.sha256Fingerprint());
    }

    @Test
    void shouldRejectExpiredPinnedCertificate() {
        Instant now = Instant.now();
        SingleUseCertificate expired = SingleUseCertificate.generate(
                "127.0.0.1", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        PinnedTrustManager expiredPin = new PinnedTrustManager(expired.certificate());

        assertThatThrownBy(() -> expiredPin.checkServerTrusted(new X509Certificate[] {expired.certificate()}, "EC"))
                .isInstanceOf(CertificateException.class)
                .hasMessageStartingWith(
                        "pinned certificate is not valid now: expected sha256=" + expired.sha256Fingerprint())
                .hasCauseInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void shouldRejectNotYetValidPinnedCertificate() {
        Instant now = Instant.now();
        SingleUseCertificate future =
                SingleUseCertificate.generate("127.0.0.1", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)));
        PinnedTrustManager futurePin = new PinnedTrustManager(future.certificate());

        assertThatThrownBy(() -> futurePin.checkServerTrusted(new X509Certificate[] {future.certificate()}, "EC"))
                .isInstanceOf(CertificateException.class)
                .hasCauseInstanceOf(CertificateNotYetValidException.class);
    }

    @Test
    void shouldRejectEmptyChain() {
        assertThatThrownBy(() -> trustManager.checkServerTrusted(new X509Certificate[0], "EC"))
                .isInstanceOf(CertificateException.class)
                .hasMessage(
                        "server sent no certificate: expected sha256=" + pinned.sha256Fingerprint() + ", actual=none");
    }

    @Test
    void shouldExposePinnedCertificateAndFingerprint() {
        assertThat(trustManager.pinnedCertificate()).isEqualTo(pinned.certificate());
        assertThat(trustManager.pinnedFingerprint()).isEqualTo(pinned.sha256Fingerprint());
        assertThat(trustManager.getAcceptedIssuers()).containsExactly(pinned.certificate());
        assertThat(trustManager.toString()).contains("sha256=" + pinned.sha256Fingerprint());
    }
}
