package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.launch.LocalLauncher;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A daemon's credentials cannot make another daemon take its holder for the host: a real daemon JVM given its own
 * key (as launchers give it) dials a fake host that answers the handshake with the key of another slot's daemon, and
 * exits with code 77; the same fake host answering with the session secret (the host's credential) is accepted, so
 * the refusal is the key's doing.
 */
@Tag("integration")
@Timeout(120)
class HostImpersonationTest {
    private static final String SESSION_SECRET = Handshake.newSecret();
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @Test
    void shouldRefuseAHostThatProvesOnlyAnotherDaemonsKey() throws Exception {
        String mallory = DaemonKeys.derive(SESSION_SECRET, 1, "");
        Run run = runDaemonAgainstFakeHost(mallory);
        assertThat(run.exitCode()).as("daemon output:\n%s", run.output()).isEqualTo(77);
        assertThat(run.output()).contains("host failed to prove the secret");
    }

    @Test
    void shouldAcceptTheHostsOwnCredential() throws Exception {
        Run run = runDaemonAgainstFakeHost(SESSION_SECRET);
        assertThat(run.exitCode())
                .as("authenticated, then the host closed: daemon output:\n%s", run.output())
                .isEqualTo(0);
        assertThat(run.output()).doesNotContain("failed to prove");
    }

    private record Run(int exitCode, String output) {}

    /** Starts the daemon of slot 2 with its own key against a one-connection fake host proving {@code credential}. */
    private static Run runDaemonAgainstFakeHost(String credential) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30_000);
            ListenUrl url = ListenUrl.parse("tcp://127.0.0.1:" + server.getLocalPort() + "/2");
            ProcessBuilder pb = new ProcessBuilder(new LocalLauncher().command(url, DaemonOptions.defaults(), null))
                    .redirectErrorStream(true);
            pb.environment().put(Handshake.SECRET_ENV, DaemonKeys.derive(SESSION_SECRET, 2, ""));
            Process p = pb.start();
            try {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    answerHandshake(s, credential);
                    // The daemon either closes (refused) or waits for tasks; the host ends the connection here.
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes();
                }
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("daemon exited").isTrue();
                return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static void answerHandshake(Socket s, String credential) throws Exception {
        Handshake.Challenge challenge = new Handshake.Challenge(Handshake.newNonce());
        write(s, FrameType.CHALLENGE, challenge.encode(ALLOC));
        DataInputStream in = new DataInputStream(s.getInputStream());
        int length = in.readInt();
        assertThat(length).isBetween(FrameHeader.LENGTH_AFTER_LENGTH_FIELD, FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH);
        byte[] rest = new byte[length];
        in.readFully(rest);
        assertThat(rest[1]).as("frame type").isEqualTo((byte) FrameType.HELLO.code());
        ByteBuf payload = Unpooled.wrappedBuffer(rest, FrameHeader.LENGTH_AFTER_LENGTH_FIELD, length - 12);
        Handshake.Hello hello = Handshake.Hello.decode(payload);
        assertThat(hello.slot()).isEqualTo(2);
        assertThat(hello.verify(SESSION_SECRET.getBytes(StandardCharsets.UTF_8), challenge))
                .as("the daemon proved its key")
                .isTrue();
        Handshake.Welcome welcome =
                Handshake.Welcome.accept(credential.getBytes(StandardCharsets.UTF_8), challenge, hello, 1 << 20, 0);
        write(s, FrameType.WELCOME, welcome.encode(ALLOC));
    }

    private static void write(Socket s, FrameType type, ByteBuf payload) throws Exception {
        ByteBuf frame = FrameHeader.frame(ALLOC, type, 0, 0, payload);
        try {
            s.getOutputStream().write(ByteBufUtil.getBytes(frame));
            s.getOutputStream().flush();
        } finally {
            frame.release();
        }
    }
}
