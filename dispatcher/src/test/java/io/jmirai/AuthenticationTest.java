package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Peers that do not hold the secret, or break the protocol, while a real daemon keeps working. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class AuthenticationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Daemons daemons;

    @BeforeAll
    static void start() {
        daemons = Daemons.builder()
                .local(1)
                .maxFrameLength(1 << 20)
                .handshakeTimeout(Duration.ofSeconds(1))
                .start();
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @Test
    void shouldRejectAWrongSecretAndNeverAssignItATask() throws Exception {
        long before = daemons.status().cumulative();
        int rows = daemons.status().daemons().size();
        Mirai<Integer> slow = daemons.mirai(() -> {
            Thread.sleep(500);
            return 1;
        });
        Mirai<Integer> queued = daemons.mirai(() -> 2);
        try (RawPeer peer = new RawPeer(daemons.url())) {
            RawPeer.Received answer = peer.authenticate("not-the-secret", 0);
            assertThat(answer.type()).isEqualTo(FrameType.GOODBYE);
            assertThat(Handshake.Goodbye.decode(Unpooled.wrappedBuffer(answer.payload()))
                            .code())
                    .isEqualTo(Handshake.Goodbye.AUTHENTICATION_FAILED);
            assertThat(peer.awaitClosed()).isTrue();
        }
        assertThat(slow.get(WAIT)).isEqualTo(1);
        assertThat(queued.get(WAIT)).isEqualTo(2);
        assertThat(daemons.status().cumulative()).isEqualTo(before);
        assertThat(daemons.status().daemons()).hasSize(rows);
    }

    @Test
    void shouldMakeADaemonWithTheWrongSecretExitWithCode77() throws Exception {
        long before = daemons.status().cumulative();
        List<String> cmd = new ArrayList<>(new io.jmirai.launch.LocalLauncher()
                .command(io.jmirai.transport.ListenUrl.parse(daemons.url()), DaemonOptions.defaults(), null));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(Handshake.SECRET_ENV, "wrong");
        Process p = pb.start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(77);
            assertThat(new String(p.getInputStream().readAllBytes())).contains("rejected");
        } finally {
            p.destroyForcibly();
        }
        assertThat(daemons.status().cumulative()).isEqualTo(before);
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSendsAnOversizedFrame() throws Exception {
        try (RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            // A RESULT header announcing 2 GiB: the host must close before reading (or allocating) any of it.
            peer.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            assertThat(peer.awaitClosed()).isTrue();
        }
        assertThat(daemons.mirai(() -> "alive").get(WAIT)).isEqualTo("alive");
    }

    @Test
    void shouldCloseAnUnauthenticatedConnectionThatSendsAnythingButHello() throws Exception {
        try (RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.next().type()).isEqualTo(FrameType.CHALLENGE);
            peer.send(FrameHeader.frame(
                    Unpooled.buffer().alloc(), FrameType.RESULT, 0, 1, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
            assertThat(peer.awaitClosed()).isTrue();
        }
        try (RawPeer peer = new RawPeer(daemons.url())) {
            peer.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            assertThat(peer.awaitClosed()).isTrue();
        }
        assertThat(daemons.mirai(() -> "alive").get(WAIT)).isEqualTo("alive");
    }

    @Test
    void shouldRejectAResultForATaskNotAssignedToThatConnection() throws Exception {
        try (RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            peer.send(FrameHeader.frame(
                    Unpooled.buffer().alloc(), FrameType.RESULT, 0, 999, Unpooled.wrappedBuffer(new byte[] {1})));
            assertThat(peer.awaitClosed()).isTrue();
        }
        assertThat(daemons.mirai(() -> "alive").get(WAIT)).isEqualTo("alive");
    }

    @Test
    void shouldCloseAStalledHandshakeAtTheDeadline() throws Exception {
        try (RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.next().type()).isEqualTo(FrameType.CHALLENGE);
            long start = System.nanoTime();
            assertThat(peer.awaitClosed()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(daemons.mirai(() -> "alive").get(WAIT)).isEqualTo("alive");
    }

    @Test
    void shouldTurnAResultLargerThanTheFrameLimitIntoAnErrorAndKeepTheDaemon() throws Exception {
        Mirai<byte[]> m = daemons.mirai(() -> new byte[2 << 20]);
        Object d = DaemonsTest.awaitData(m);
        assertThat(d).isInstanceOf(MiraiError.class);
        assertThat(((MiraiError) d).message())
                .contains("result too large")
                .contains("maxFrameLength=")
                .contains("Daemons.builder().maxFrameLength(n)");
        assertThat(daemons.mirai(() -> "alive").get(WAIT)).isEqualTo("alive");
    }

    @Test
    void shouldRejectATaskLargerThanTheFrameLimitAtSubmission() {
        byte[] big = new byte[2 << 20];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> daemons.mirai(() -> big.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task too large")
                .hasMessageContaining("Daemons.builder().maxFrameLength(n), now maxFrameLength=");
    }

    @Test
    void shouldNotPutTheSecretOnTheCommandLine() throws Exception {
        List<String> cmd = new io.jmirai.launch.LocalLauncher()
                .command(io.jmirai.transport.ListenUrl.parse(daemons.url() + "/1"), DaemonOptions.defaults(), null);
        assertThat(String.join(" ", cmd)).doesNotContain(daemons.secret());
        Path self = Path.of("/proc/self/cmdline");
        if (Files.exists(self)) {
            for (ProcessHandle h : ProcessHandle.current().children().toList()) {
                Path cmdline = Path.of("/proc/" + h.pid() + "/cmdline");
                if (Files.exists(cmdline)) {
                    assertThat(Files.readString(cmdline)).doesNotContain(daemons.secret());
                }
            }
        }
    }
}
