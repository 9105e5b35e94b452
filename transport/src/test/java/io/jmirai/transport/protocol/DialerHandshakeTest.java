package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dialing side's handshake against the host's real CHALLENGE and WELCOME encodings. */
class DialerHandshakeTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    private final Handshake.Challenge challenge = new Handshake.Challenge(Handshake.newNonce());

    private Handshake.Hello answer(DialerHandshake dialer) {
        ByteBuf c = challenge.encode(ALLOC);
        ByteBuf frame = dialer.hello(ALLOC, c, 3, "tok", Capabilities.of(Capability.RECALL));
        try {
            assertThat(c.refCnt()).as("the challenge payload is the caller's").isEqualTo(1);
            assertThat(frame.getByte(5)).isEqualTo((byte) FrameType.HELLO.code());
            return Handshake.Hello.decode(frame.skipBytes(FrameHeader.LENGTH));
        } finally {
            c.release();
            frame.release();
        }
    }

    private static ByteBuf encode(Handshake.Welcome w) {
        return w.encode(ALLOC);
    }

    @Test
    void shouldAnswerTheChallengeAndAcceptAWelcomeThatProvesTheSecret() {
        DialerHandshake dialer = new DialerHandshake(SECRET);
        Handshake.Hello hello = answer(dialer);
        assertThat(hello.verify(SECRET, challenge)).isTrue();
        assertThat(hello.slot()).isEqualTo(3);
        assertThat(hello.token()).isEqualTo("tok");
        assertThat(hello.pid()).isEqualTo(ProcessHandle.current().pid());

        ByteBuf w = encode(Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 0));
        try {
            Handshake.Welcome welcome = dialer.welcome(w);
            assertThat(welcome).isNotNull();
            assertThat(dialer.negotiated(welcome).has(Capability.RECALL)).isTrue();
            assertThat(dialer.negotiated(welcome).has(Capability.CLASS_LOADING))
                    .as("not advertised by the dialer")
                    .isFalse();
        } finally {
            w.release();
        }
    }

    @Test
    void shouldRejectAWelcomeProvedWithAnotherSecret() {
        DialerHandshake dialer = new DialerHandshake(SECRET);
        Handshake.Hello hello = answer(dialer);
        ByteBuf w = encode(
                Handshake.Welcome.accept("other".getBytes(StandardCharsets.UTF_8), challenge, hello, 1 << 20, 0));
        try {
            assertThat(dialer.welcome(w)).isNull();
        } finally {
            w.release();
        }
    }

    @Test
    void shouldRefuseASecondChallengeAndAWelcomeBeforeAnyChallenge() {
        DialerHandshake early = new DialerHandshake(SECRET);
        ByteBuf w = ALLOC.buffer().writeZero(8);
        try {
            assertThatThrownBy(() -> early.welcome(w))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("welcome before challenge");
        } finally {
            w.release();
        }

        DialerHandshake dialer = new DialerHandshake(SECRET);
        answer(dialer);
        ByteBuf again = challenge.encode(ALLOC);
        try {
            assertThatThrownBy(() -> dialer.hello(ALLOC, again, 0, "", Capabilities.NONE))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("second challenge");
        } finally {
            again.release();
        }
    }
}
