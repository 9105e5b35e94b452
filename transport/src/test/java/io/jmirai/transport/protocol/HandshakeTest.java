package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class HandshakeTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final byte[] SECRET = "jmirai-test-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_SECRET = "jmirai-test-secreT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST_NONCE = sequence(0x40, Handshake.NONCE_LENGTH);
    private static final byte[] DAEMON_NONCE = sequence(0x00, Handshake.NONCE_LENGTH);

    /** HMAC-SHA256(secret, "jmirai-hello\0" | hostNonce | daemonNonce | i32 slot | i64 pid | token), from Python. */
    private static final String GOLDEN_HELLO_PROOF = "d7b3ba53d398f8c543fc7b8b1fe50f551c058086732e6725aa43acd8dd26e975";
    /** HMAC-SHA256(secret, "jmirai-welcome\0" | hostNonce | daemonNonce), from Python. */
    private static final String GOLDEN_WELCOME_PROOF =
            "df8466040b710e7cf4592d4ed3715d2cff0caa82f1b6c956947cbf3718978a66";

    private final Handshake.Challenge challenge = new Handshake.Challenge(HOST_NONCE);

    // ---- proofs

    @Test
    void shouldComputeProofsAsSpecified() {
        Handshake.Hello hello =
                new Handshake.Hello(7, 4242, "tok", DAEMON_NONCE, ByteBufUtil.decodeHexDump(GOLDEN_HELLO_PROOF));
        assertThat(hello.verify(SECRET, challenge)).isTrue();

        Handshake.Welcome welcome = Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 500);
        assertThat(ByteBufUtil.hexDump(welcome.proof())).isEqualTo(GOLDEN_WELCOME_PROOF);
    }

    @Test
    void shouldVerifyHelloAndWelcomeWithRightSecret() {
        Handshake.Challenge c = new Handshake.Challenge(Handshake.newNonce());
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, c, 3, 999, "slot-token");
        assertThat(hello.verify(SECRET, c)).as("host verifies HELLO").isTrue();

        Handshake.Welcome welcome = Handshake.Welcome.accept(SECRET, c, hello, 1 << 20, 1000);
        assertThat(welcome.verify(SECRET, c, hello))
                .as("daemon verifies WELCOME")
                .isTrue();
    }

    @Test
    void shouldFailHelloFromDaemonWithWrongSecret() {
        Handshake.Hello hello = Handshake.Hello.answer(OTHER_SECRET, challenge, 3, 999, "");
        assertThat(hello.verify(SECRET, challenge)).isFalse();
    }

    @Test
    void shouldFailWelcomeFromHostWithWrongSecret() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "");
        Handshake.Welcome impostor = Handshake.Welcome.accept(OTHER_SECRET, challenge, hello, 1 << 20, 0);
        assertThat(impostor.verify(SECRET, challenge, hello)).isFalse();
    }

    @Test
    void shouldFailProofsForAnotherChallenge() {
        Handshake.Challenge replayed = new Handshake.Challenge(Handshake.newNonce());
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "t");
        assertThat(hello.verify(SECRET, replayed)).isFalse();

        Handshake.Welcome welcome = Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 0);
        assertThat(welcome.verify(SECRET, replayed, hello)).isFalse();
        Handshake.Hello otherHello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "t");
        assertThat(welcome.verify(SECRET, challenge, otherHello))
                .as("welcome is bound to the daemon's nonce")
                .isFalse();
    }

    @Test
    void shouldFailTamperedHelloFields() {
        Handshake.Hello h = Handshake.Hello.answer(SECRET, challenge, 3, 999, "token");
        assertThat(new Handshake.Hello(4, h.pid(), h.token(), h.daemonNonce(), h.proof()).verify(SECRET, challenge))
                .as("slot")
                .isFalse();
        assertThat(new Handshake.Hello(h.slot(), 998, h.token(), h.daemonNonce(), h.proof()).verify(SECRET, challenge))
                .as("pid")
                .isFalse();
        assertThat(new Handshake.Hello(h.slot(), h.pid(), "tokeN", h.daemonNonce(), h.proof())
                        .verify(SECRET, challenge))
                .as("token")
                .isFalse();
        assertThat(new Handshake.Hello(h.slot(), h.pid(), h.token(), flipBit(h.daemonNonce(), 255), h.proof())
                        .verify(SECRET, challenge))
                .as("nonce")
                .isFalse();
        assertThat(new Handshake.Hello(h.slot(), h.pid(), h.token(), h.daemonNonce(), flipBit(h.proof(), 0))
                        .verify(SECRET, challenge))
                .as("proof")
                .isFalse();
        assertThat(h.verify(SECRET, new Handshake.Challenge(flipBit(HOST_NONCE, 7))))
                .as("host nonce")
                .isFalse();
    }

    @Test
    void shouldFailHelloTamperedOnTheWire() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "tok");
        byte[] wire = encode(hello::encode);
        // Every byte but those of the token-length field: changing it makes the payload malformed instead.
        for (int i = 0; i < wire.length; i++) {
            if (i == 12 || i == 13) {
                continue;
            }
            byte[] tampered = wire.clone();
            tampered[i] ^= 0x01;
            Handshake.Hello decoded = decode(tampered, Handshake.Hello::decode);
            assertThat(decoded.verify(SECRET, challenge))
                    .as("byte %d flipped", i)
                    .isFalse();
        }
    }

    @Test
    void shouldFailWelcomeTamperedOnTheWire() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "tok");
        Handshake.Welcome welcome = Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 100);
        byte[] wire = encode(welcome::encode);
        for (int i = 0; i < Handshake.PROOF_LENGTH; i++) {
            byte[] tampered = wire.clone();
            tampered[i] ^= (byte) 0x80;
            assertThat(decode(tampered, Handshake.Welcome::decode).verify(SECRET, challenge, hello))
                    .as("proof byte %d flipped", i)
                    .isFalse();
        }
    }

    @Test
    void shouldRejectEmptySecret() {
        assertThatThrownBy(() -> Handshake.Hello.answer(new byte[0], challenge, 1, 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret is empty");
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 1, "");
        assertThatThrownBy(() -> hello.verify(null, challenge)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- round trips

    @Test
    void shouldRoundTripChallenge() {
        byte[] wire = encode(challenge::encode);
        assertThat(wire).isEqualTo(HOST_NONCE);
        assertThat(decode(wire, Handshake.Challenge::decode).hostNonce()).isEqualTo(HOST_NONCE);
    }

    @Test
    void shouldRoundTripHello() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, -5, Long.MAX_VALUE, "tøken-✓");
        byte[] wire = encode(hello::encode);
        assertThat(wire).hasSize(4 + 8 + 2 + "tøken-✓".getBytes(StandardCharsets.UTF_8).length + 32 + 32);

        Handshake.Hello decoded = decode(wire, Handshake.Hello::decode);
        assertThat(decoded.slot()).isEqualTo(-5);
        assertThat(decoded.pid()).isEqualTo(Long.MAX_VALUE);
        assertThat(decoded.token()).isEqualTo("tøken-✓");
        assertThat(decoded.daemonNonce()).isEqualTo(hello.daemonNonce());
        assertThat(decoded.proof()).isEqualTo(hello.proof());
        assertThat(decoded.verify(SECRET, challenge)).isTrue();
    }

    @Test
    void shouldRoundTripHelloWithEmptyAndLongestToken() {
        for (String token : new String[] {"", "x".repeat(Handshake.MAX_TOKEN_LENGTH)}) {
            Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, token);
            Handshake.Hello decoded = decode(encode(hello::encode), Handshake.Hello::decode);
            assertThat(decoded.token()).isEqualTo(token);
            assertThat(decoded.verify(SECRET, challenge)).isTrue();
        }
    }

    @Test
    void shouldRoundTripWelcome() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "");
        Handshake.Welcome welcome =
                Handshake.Welcome.accept(SECRET, challenge, hello, FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 2500);
        byte[] wire = encode(welcome::encode);
        assertThat(wire).hasSize(Handshake.PROOF_LENGTH + 8);

        Handshake.Welcome decoded = decode(wire, Handshake.Welcome::decode);
        assertThat(decoded.proof()).isEqualTo(welcome.proof());
        assertThat(decoded.maxFrameLength()).isEqualTo(FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        assertThat(decoded.heartbeatMillis()).isEqualTo(2500);
        assertThat(decoded.verify(SECRET, challenge, hello)).isTrue();
    }

    @Test
    void shouldRoundTripGoodbye() {
        Handshake.Goodbye bye = new Handshake.Goodbye(Handshake.Goodbye.REJECTED, "slot taken: slot=3");
        Handshake.Goodbye decoded = decode(encode(bye::encode), Handshake.Goodbye::decode);
        assertThat(decoded).isEqualTo(bye);
        assertThat(decode(encode(new Handshake.Goodbye(0, "")::encode), Handshake.Goodbye::decode))
                .isEqualTo(new Handshake.Goodbye(0, ""));
    }

    @Test
    void shouldCutGoodbyeReasonLongerThan512BytesOnEncode() {
        Handshake.Goodbye bye = new Handshake.Goodbye(Handshake.Goodbye.PROTOCOL_ERROR, "r".repeat(2000));
        byte[] wire = encode(bye::encode);
        assertThat(wire).hasSize(4 + Handshake.MAX_REASON_LENGTH);

        Handshake.Goodbye decoded = decode(wire, Handshake.Goodbye::decode);
        assertThat(decoded.code()).isEqualTo(Handshake.Goodbye.PROTOCOL_ERROR);
        assertThat(decoded.reason()).isEqualTo("r".repeat(Handshake.MAX_REASON_LENGTH));
    }

    @Test
    void shouldKeepGoodbyeReasonOfExactly512Bytes() {
        String reason = "é".repeat(Handshake.MAX_REASON_LENGTH / 2); // two bytes each
        Handshake.Goodbye decoded = decode(encode(new Handshake.Goodbye(1, reason)::encode), Handshake.Goodbye::decode);
        assertThat(decoded.reason()).isEqualTo(reason);
    }

    // ---- malformed payloads

    @Test
    void shouldRejectTruncatedPayloads() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "tok");
        assertEveryTruncationRejected(encode(challenge::encode), Handshake.Challenge::decode);
        assertEveryTruncationRejected(encode(hello::encode), Handshake.Hello::decode);
        assertEveryTruncationRejected(
                encode(Handshake.Welcome.accept(SECRET, challenge, hello, 4096, 0)::encode), Handshake.Welcome::decode);
        assertEveryTruncationRejected(encode(new Handshake.Goodbye(0, "bye")::encode), Handshake.Goodbye::decode);
    }

    @Test
    void shouldRejectTrailingBytes() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "tok");
        assertTrailingByteRejected(encode(challenge::encode), Handshake.Challenge::decode, "CHALLENGE");
        assertTrailingByteRejected(encode(hello::encode), Handshake.Hello::decode, "HELLO");
        assertTrailingByteRejected(
                encode(Handshake.Welcome.accept(SECRET, challenge, hello, 4096, 0)::encode),
                Handshake.Welcome::decode,
                "WELCOME");
        assertTrailingByteRejected(
                encode(new Handshake.Goodbye(0, "bye")::encode), Handshake.Goodbye::decode, "GOODBYE");
    }

    @Test
    void shouldRejectTokenTooLong() {
        assertThatThrownBy(() -> new Handshake.Hello(
                        1, 2, "x".repeat(Handshake.MAX_TOKEN_LENGTH + 1), DAEMON_NONCE, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token too long");
        // The limit is on UTF-8 bytes, not chars: 43 × 3 bytes = 129.
        assertThatThrownBy(() -> Handshake.Hello.answer(SECRET, challenge, 1, 2, "€".repeat(43)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token too long");
    }

    @Test
    void shouldRejectTokenTooLongOnTheWire() {
        ByteBuf in = ALLOC.buffer()
                .writeInt(1)
                .writeLong(2)
                .writeShort(Handshake.MAX_TOKEN_LENGTH + 1)
                .writeZero(Handshake.MAX_TOKEN_LENGTH + 1 + 64);
        try {
            assertThatThrownBy(() -> Handshake.Hello.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("token too long: length=129");
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectTokenThatIsNotUtf8WithProtocolException() {
        // 100 bytes on the wire, within the limit; each 0xff decodes to U+FFFD, three bytes in UTF-8.
        byte[] token = new byte[100];
        Arrays.fill(token, (byte) 0xff);
        ByteBuf in = ALLOC.buffer()
                .writeInt(1)
                .writeLong(2)
                .writeShort(token.length)
                .writeBytes(token)
                .writeBytes(DAEMON_NONCE)
                .writeZero(Handshake.PROOF_LENGTH);
        try {
            assertThatThrownBy(() -> Handshake.Hello.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("token too long");
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1023, -1})
    void shouldRejectWelcomeWithBadFrameLimit(int maxFrameLength) {
        ByteBuf in = ALLOC.buffer()
                .writeZero(Handshake.PROOF_LENGTH)
                .writeInt(maxFrameLength)
                .writeInt(0);
        try {
            assertThatThrownBy(() -> Handshake.Welcome.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("maxFrameLength=" + maxFrameLength);
        } finally {
            in.release();
        }
        assertThatThrownBy(() -> new Handshake.Welcome(new byte[32], maxFrameLength, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectWelcomeWithNegativeHeartbeat() {
        ByteBuf in =
                ALLOC.buffer().writeZero(Handshake.PROOF_LENGTH).writeInt(4096).writeInt(-1);
        try {
            assertThatThrownBy(() -> Handshake.Welcome.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("heartbeatMillis=-1");
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectGoodbyeReasonLongerThan512BytesOnTheWire() {
        ByteBuf in = ALLOC.buffer().writeShort(0).writeShort(513).writeZero(513);
        try {
            assertThatThrownBy(() -> Handshake.Goodbye.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("goodbye reason too long: length=513");
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectWrongNonceAndProofLengths() {
        assertThatThrownBy(() -> new Handshake.Challenge(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hostNonce length : 31 (expected: 32)");
        assertThatThrownBy(() -> new Handshake.Hello(1, 2, "", new byte[33], new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("daemonNonce length : 33");
        assertThatThrownBy(() -> new Handshake.Hello(1, 2, "", new byte[32], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proof length : 0");
        assertThatThrownBy(() -> new Handshake.Challenge(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("hostNonce");
    }

    @Test
    void shouldMakeFreshNoncesAndSecrets() {
        assertThat(Handshake.newNonce()).hasSize(Handshake.NONCE_LENGTH).isNotEqualTo(Handshake.newNonce());
        String secret = Handshake.newSecret();
        assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(Handshake.newSecret());
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
    }

    // ---- helpers

    private static byte[] encode(Function<ByteBufAllocator, ByteBuf> encoder) {
        ByteBuf buf = encoder.apply(ALLOC);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Decodes, checking that the decoder read everything and did not release the buffer. */
    private static <T> T decode(byte[] wire, Function<ByteBuf, T> decoder) {
        ByteBuf in = ALLOC.buffer(wire.length).writeBytes(wire);
        try {
            T value = decoder.apply(in);
            assertThat(in.isReadable()).isFalse();
            assertThat(in.refCnt()).isEqualTo(1);
            return value;
        } finally {
            in.release();
        }
    }

    private static void assertEveryTruncationRejected(byte[] wire, Consumer<ByteBuf> decoder) {
        for (int n = 0; n < wire.length; n++) {
            ByteBuf in = ALLOC.buffer(wire.length).writeBytes(wire, 0, n);
            try {
                assertThatThrownBy(() -> decoder.accept(in))
                        .as("first %d of %d bytes", n, wire.length)
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("truncated");
            } finally {
                in.release();
            }
        }
    }

    private static void assertTrailingByteRejected(byte[] wire, Consumer<ByteBuf> decoder, String what) {
        ByteBuf in = ALLOC.buffer(wire.length + 1).writeBytes(wire).writeByte(0);
        try {
            assertThatThrownBy(() -> decoder.accept(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("trailing bytes after " + what + ": trailing=1");
        } finally {
            in.release();
        }
    }

    private static byte[] flipBit(byte[] bytes, int bit) {
        byte[] copy = bytes.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    private static byte[] sequence(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
