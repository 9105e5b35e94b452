package io.jmirai.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.LeakPresenceDetector;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real TLS handshakes over NIO sockets on the loopback address: host side contexts against daemon side contexts. */
@Tag("integration")
@Timeout(60)
class TlsHandshakeTest {

    private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

    private EventLoopGroup group;

    @BeforeEach
    void startEventLoops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void shutdownEventLoopsAndCheckLeaks() throws Exception {
        TlsEcho.shutdown(group);
        LeakPresenceDetector.check();
    }

    @Test
    void shouldEchoOverPinnedSingleUseCertificate() throws Exception {
        SingleUseCertificate certificate = SingleUseCertificate.generate("127.0.0.1");
        Channel server = TlsEcho.startServer(group, certificate.serverContext());

        TlsEcho.Reply reply = TlsEcho.exchange(
                        group,
                        ClientTls.pinned(certificate.certificatePem()),
                        "127.0.0.1",
                        TlsEcho.port(server),
                        "hello")
                .get(10, SECONDS);

        assertThat(reply.text()).isEqualTo("hello");
        assertThat(reply.protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void shouldIgnoreHostNameWhenPinned() throws Exception {
        // an SSH tunnel: the certificate names the remote host, the daemon connects to 127.0.0.1
        SingleUseCertificate certificate = SingleUseCertificate.generate("cluster-node-17.example");
        Channel server = TlsEcho.startServer(group, certificate.serverContext());

        TlsEcho.Reply reply = TlsEcho.exchange(
                        group, ClientTls.pinned(certificate.certificatePem()), "127.0.0.1", TlsEcho.port(server), "ssh")
                .get(10, SECONDS);

        assertThat(reply.text()).isEqualTo("ssh");
    }

    @Test
    void shouldFailHandshakeWhenPinnedToDifferentCertificate() throws Exception {
        SingleUseCertificate served = SingleUseCertificate.generate("127.0.0.1");
        SingleUseCertificate pinned = SingleUseCertificate.generate("127.0.0.1");
        Channel server = TlsEcho.startServer(group, served.serverContext());

        var reply = TlsEcho.exchange(
                group, ClientTls.pinned(pinned.certificatePem()), "127.0.0.1", TlsEcho.port(server), "hello");

        assertThatThrownBy(() -> reply.get(10, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("server certificate is not the pinned certificate")
                .hasStackTraceContaining("expected sha256=" + pinned.sha256Fingerprint())
                .hasStackTraceContaining("actual sha256=" + served.sha256Fingerprint());
    }

    @Test
    void shouldFailHandshakeWhenPinnedCertificateExpired() throws Exception {
        Instant now = Instant.now();
        SingleUseCertificate expired = SingleUseCertificate.generate(
                "127.0.0.1", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        Channel server = TlsEcho.startServer(group, expired.serverContext());

        var reply = TlsEcho.exchange(
                group, ClientTls.pinned(expired.certificatePem()), "127.0.0.1", TlsEcho.port(server), "hello");

        assertThatThrownBy(() -> reply.get(10, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("pinned certificate is not valid now");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void shouldEchoOverCaChainWithEncryptedKeyWhenHostIsInSubjectAlternativeName(String host) throws Exception {
        TestPki.Chain pki = TestPki.chain();
        String keyPem = TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD);
        assertThat(keyPem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        HostTls hostTls = HostTls.fromPem(pki.chainPem(), keyPem, PASSWORD);
        Channel server = TlsEcho.startServer(group, hostTls.serverContext());

        TlsEcho.Reply reply = TlsEcho.exchange(
                        group, ClientTls.caChain(pki.rootPem()), host, TlsEcho.port(server), "chain")
                .get(10, SECONDS);

        assertThat(reply.text()).isEqualTo("chain");
        assertThat(reply.protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void shouldFailCaChainHandshakeWhenHostIsNotInSubjectAlternativeName() throws Exception {
        TestPki.Chain pki = TestPki.chain();
        HostTls hostTls = HostTls.fromPem(
                pki.chainPem(), TestPki.encryptedPkcs8Pem(pki.leaf().keyPair().getPrivate(), PASSWORD), PASSWORD);
        Channel server = TlsEcho.startServer(group, hostTls.serverContext());

        var reply = TlsEcho.exchange(
                group, ClientTls.caChain(pki.rootPem()), "wrong.example", TlsEcho.port(server), "chain");

        assertThatThrownBy(() -> reply.get(10, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("No subject alternative DNS name matching wrong.example");
    }

    @Test
    void shouldFailCaChainHandshakeWhenServerCertificateIsNotIssuedByTrustedCa() throws Exception {
        TestPki.Chain pki = TestPki.chain();
        SingleUseCertificate selfSigned = SingleUseCertificate.generate("127.0.0.1");
        Channel server = TlsEcho.startServer(group, selfSigned.serverContext());

        var reply =
                TlsEcho.exchange(group, ClientTls.caChain(pki.rootPem()), "127.0.0.1", TlsEcho.port(server), "chain");

        assertThatThrownBy(() -> reply.get(10, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("PKIX path");
    }

    @Test
    void shouldEchoWhenClientPinsLeafOfCaSignedChain() throws Exception {
        TestPki.Chain pki = TestPki.chain();
        HostTls hostTls = HostTls.fromPem(
                pki.chainPem(), TestPki.pkcs8Pem(pki.leaf().keyPair().getPrivate()));
        Channel server = TlsEcho.startServer(group, hostTls.serverContext());

        TlsEcho.Reply reply = TlsEcho.exchange(
                        group, ClientTls.pinned(hostTls.certificatePem()), "wrong.example", TlsEcho.port(server), "pin")
                .get(10, SECONDS);

        assertThat(reply.text()).isEqualTo("pin");
    }

    @Test
    void shouldTrustAnyCertificateOfGivenChainAsAnchor() throws Exception {
        TestPki.Chain pki = TestPki.chain();
        HostTls hostTls = HostTls.fromPem(
                pki.chainPem(), TestPki.traditionalEcPem(pki.leaf().keyPair()));
        Channel server = TlsEcho.startServer(group, hostTls.serverContext());
        // the chain as the host has it (leaf, intermediate), no root
        SslContext client = ClientTls.caChain(pki.chainPem());

        TlsEcho.Reply reply = TlsEcho.exchange(group, client, "localhost", TlsEcho.port(server), "anchor")
                .get(10, SECONDS);

        assertThat(reply.text()).isEqualTo("anchor");
    }
}
