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

    /**
     * HELLO for slot 7, pid 4242, token "tok", no capabilities, computed from the layout with Python's hmac:
     * key = HMAC(secret, "jmirai-daemon-key\0" | i32 7 | "tok"); proof = HMAC(key, "jmirai-hello\0" | hostNonce |
     * body).
     */
    private static final String GOLDEN_HELLO = "0001" // version
            + "0000000000000000" // capabilities
            + "00000007" // slot
            + "0000000000001092" // pid
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" // daemon nonce
            + "00010003746f6b" // TLV: TOKEN, 3 bytes, "tok"
            + "b47a9b36ff122804d00ffd96600eb0d3df66dd4eef430481589531520f04ba77"; // proof
    /** WELCOME for it: version 1, no capabilities, 1 MiB frames, 500 ms heartbeat; proof also over HELLO's. */
    private static final String GOLDEN_WELCOME = "0001" // version
            + "0000000000000000" // capabilities
            + "00100000" // max frame length
            + "000001f4" // heartbeat millis
            + "f9de0f6093ca39dffd150fc70f4f6bf249833bdcf0154179d897b10182145056"; // proof

    private final Handshake.Challenge challenge = new Handshake.Challenge(HOST_NONCE);

    private static Handshake.Hello goldenHello(byte[] secret) {
        return Handshake.Hello.create(
                secret,
                new Handshake.Challenge(HOST_NONCE),
                1,
                Capabilities.NONE,
                7,
                4242,
                "tok",
                DAEMON_NONCE,
                Extensions.NONE);
    }

    // ---- golden bytes

    @Test
    void shouldEncodeHelloAndWelcomeAsSpecified() {
        Handshake.Hello hello = goldenHello(SECRET);
        assertThat(ByteBufUtil.hexDump(encode(hello::encode))).isEqualTo(GOLDEN_HELLO);
        Handshake.Welcome welcome =
                Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 500, Capabilities.NONE, Extensions.NONE);
        assertThat(ByteBufUtil.hexDump(encode(welcome::encode))).isEqualTo(GOLDEN_WELCOME);
    }

    @Test
    void shouldDecodeAndVerifyGoldenHelloAndWelcome() {
        Handshake.Hello hello = decode(ByteBufUtil.decodeHexDump(GOLDEN_HELLO), Handshake.Hello::decode);
        assertThat(hello.version()).isEqualTo(1);
        assertThat(hello.capabilities()).isEqualTo(Capabilities.NONE);
        assertThat(hello.slot()).isEqualTo(7);
        assertThat(hello.pid()).isEqualTo(4242);
        assertThat(hello.token()).isEqualTo("tok");
        assertThat(hello.daemonNonce()).isEqualTo(DAEMON_NONCE);
        assertThat(hello.verify(SECRET, challenge)).isTrue();

        Handshake.Welcome welcome = decode(ByteBufUtil.decodeHexDump(GOLDEN_WELCOME), Handshake.Welcome::decode);
        assertThat(welcome.version()).isEqualTo(1);
        assertThat(welcome.maxFrameLength()).isEqualTo(1 << 20);
        assertThat(welcome.heartbeatMillis()).isEqualTo(500);
        assertThat(welcome.verify(SECRET, challenge, hello)).isTrue();
        assertThat(Negotiated.of(hello, welcome)).isEqualTo(new Negotiated(1, Capabilities.NONE));
    }

    // ---- proofs

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
                .as("welcome is bound to the daemon's HELLO")
                .isFalse();
    }

    @Test
    void shouldFailHelloTamperedOnTheWire() {
        Handshake.Hello hello = Handshake.Hello.answer(
                SECRET,
                challenge,
                3,
                999,
                "tok",
                new Capabilities(0x10),
                Extensions.builder().put(0x7f00, new byte[] {1, 2}).build());
        byte[] wire = encode(hello::encode);
        for (int i = 0; i < wire.length; i++) {
            byte[] tampered = wire.clone();
            tampered[i] ^= 0x01;
            assertRejectedOrUnverified(
                    tampered, in -> Handshake.Hello.decode(in).verify(SECRET, challenge), i);
        }
        assertThat(hello.verify(SECRET, new Handshake.Challenge(flipBit(HOST_NONCE, 7))))
                .as("host nonce")
                .isFalse();
    }

    @Test
    void shouldFailWelcomeTamperedOnTheWire() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 3, 999, "tok");
        Handshake.Welcome welcome = Handshake.Welcome.accept(
                SECRET,
                challenge,
                hello,
                1 << 20,
                100,
                new Capabilities(0x10),
                Extensions.builder().put(0x0203, new byte[] {9}).build());
        byte[] wire = encode(welcome::encode);
        for (int i = 0; i < wire.length; i++) {
            byte[] tampered = wire.clone();
            tampered[i] ^= 0x01;
            assertRejectedOrUnverified(
                    tampered, in -> Handshake.Welcome.decode(in).verify(SECRET, challenge, hello), i);
        }
    }

    // ---- growing: versions, capabilities, TLV tails

    @Test
    void shouldSkipUnknownExtensionsAndCapabilitiesYetCoverThemByTheProofs() {
        Extensions fromTheFuture = Extensions.builder()
                .put(0x7f00, "trace-id".getBytes(StandardCharsets.US_ASCII))
                .put(0x0002, new byte[0])
                .build();
        Handshake.Hello newer = Handshake.Hello.create(
                SECRET, challenge, 7, new Capabilities(0xF0L), 2, 3, "tok", DAEMON_NONCE, fromTheFuture);

        Handshake.Hello seen = decode(encode(newer::encode), Handshake.Hello::decode);
        assertThat(seen.version()).isEqualTo(7);
        assertThat(seen.token()).isEqualTo("tok");
        assertThat(seen.extensions().types()).containsExactly(Handshake.Hello.TOKEN, 0x7f00, 0x0002);
        assertThat(seen.extensions().get(0x7f00)).hasValue("trace-id".getBytes(StandardCharsets.US_ASCII));
        assertThat(seen.verify(SECRET, challenge))
                .as("the proof covers the unknown entries")
                .isTrue();

        Handshake.Welcome welcome =
                Handshake.Welcome.accept(SECRET, challenge, seen, 1 << 20, 0, new Capabilities(0x30L), Extensions.NONE);
        assertThat(welcome.version())
                .as("the host answers with its own, older version")
                .isEqualTo(1);
        Negotiated n = Negotiated.of(newer, decode(encode(welcome::encode), Handshake.Welcome::decode));
        assertThat(n.version()).isEqualTo(1);
        assertThat(n.capabilities().bits()).as("only what both advertised").isEqualTo(0x30L);
    }

    @Test
    void shouldRefuseADaemonWithoutACommonVersion() {
        Handshake.Hello ancient = Handshake.Hello.create(
                SECRET, challenge, 0, Capabilities.NONE, 1, 2, "", DAEMON_NONCE, Extensions.NONE);
        assertThatThrownBy(() -> Handshake.Welcome.accept(SECRET, challenge, ancient, 1 << 20, 0))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("daemon speaks no protocol version this host does: version=0, supported=1..1");
    }

    @Test
    void shouldRejectAWelcomeWithAVersionTheDaemonDidNotOffer() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "");
        byte[] wire = encode(Handshake.Welcome.accept(SECRET, challenge, hello, 1 << 20, 0)::encode);
        wire[1] = 2; // version 2: newer than the daemon's
        Handshake.Welcome welcome = decode(wire, Handshake.Welcome::decode);
        assertThatThrownBy(() -> Negotiated.of(hello, welcome))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("host chose a protocol version this daemon does not speak: version=2, supported=1..1");
    }

    @Test
    void shouldRejectRepeatedAndTruncatedExtensions() {
        Handshake.Hello hello = goldenHello(SECRET);
        byte[] wire = encode(hello::encode);
        byte[] repeated = new byte[wire.length + 7];
        System.arraycopy(wire, 0, repeated, 0, Handshake.Hello.HEAD_LENGTH + 7);
        System.arraycopy(wire, Handshake.Hello.HEAD_LENGTH, repeated, Handshake.Hello.HEAD_LENGTH + 7, 7);
        System.arraycopy(wire, wire.length - 32, repeated, repeated.length - 32, 32);
        assertThatThrownBy(() -> decode(repeated, Handshake.Hello::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("repeated HELLO extension: type=0x1");

        byte[] cut = Arrays.copyOf(wire, wire.length - 1); // the token entry now runs into the proof
        assertThatThrownBy(() -> decode(cut, Handshake.Hello::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("truncated HELLO extension");
    }

    @Test
    void shouldRejectTruncatedPayloads() {
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "tok");
        assertEveryTruncationRejected(encode(challenge::encode), Handshake.Challenge::decode);
        assertEveryTruncationRejected(
                Arrays.copyOf(encode(hello::encode), Handshake.Hello.HEAD_LENGTH + 32), Handshake.Hello::decode);
        assertEveryTruncationRejected(
                encode(Handshake.Welcome.accept(SECRET, challenge, hello, 4096, 0)::encode), Handshake.Welcome::decode);
        assertEveryTruncationRejected(encode(new Handshake.Goodbye(0, "bye")::encode), Handshake.Goodbye::decode);
    }

    @Test
    void shouldRejectTrailingBytesAfterFixedPayloads() {
        assertTrailingByteRejected(encode(challenge::encode), Handshake.Challenge::decode, "CHALLENGE");
        assertTrailingByteRejected(
                encode(new Handshake.Goodbye(0, "bye")::encode), Handshake.Goodbye::decode, "GOODBYE");
    }

    // ---- fields

    @Test
    void shouldRoundTripHelloWithEmptyAndLongestToken() {
        for (String token : new String[] {"", "x".repeat(Handshake.MAX_TOKEN_LENGTH), "tøken-✓"}) {
            Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, -5, Long.MAX_VALUE, token);
            Handshake.Hello decoded = decode(encode(hello::encode), Handshake.Hello::decode);
            assertThat(decoded.token()).isEqualTo(token);
            assertThat(decoded.slot()).isEqualTo(-5);
            assertThat(decoded.pid()).isEqualTo(Long.MAX_VALUE);
            assertThat(decoded.proof()).isEqualTo(hello.proof());
            assertThat(decoded.verify(SECRET, challenge)).isTrue();
        }
    }

    @Test
    void shouldRejectTokenTooLong() {
        assertThatThrownBy(() -> Handshake.Hello.answer(SECRET, challenge, 1, 2, "x".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token too long");
        byte[] wire = tokenHello(new byte[129]);
        assertThatThrownBy(() -> decode(wire, Handshake.Hello::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("token too long: length=129, max=128");
    }

    @Test
    void shouldRejectTokenThatIsNotUtf8WithProtocolException() {
        byte[] token = new byte[100];
        Arrays.fill(token, (byte) 0xff);
        assertThatThrownBy(() -> decode(tokenHello(token), Handshake.Hello::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("token is not UTF-8: length=100");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1023, -1})
    void shouldRejectWelcomeWithBadFrameLimit(int maxFrameLength) {
        ByteBuf in = ALLOC.buffer()
                .writeShort(1)
                .writeLong(0)
                .writeInt(maxFrameLength)
                .writeInt(0)
                .writeZero(Handshake.PROOF_LENGTH);
        try {
            assertThatThrownBy(() -> Handshake.Welcome.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("maxFrameLength=" + maxFrameLength);
        } finally {
            in.release();
        }
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 2, "");
        assertThatThrownBy(() -> Handshake.Welcome.accept(SECRET, challenge, hello, maxFrameLength, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectWelcomeWithNegativeHeartbeat() {
        ByteBuf in = ALLOC.buffer()
                .writeShort(1)
                .writeLong(0)
                .writeInt(4096)
                .writeInt(-1)
                .writeZero(Handshake.PROOF_LENGTH);
        try {
            assertThatThrownBy(() -> Handshake.Welcome.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("heartbeatMillis=-1");
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectWrongNonceLengths() {
        assertThatThrownBy(() -> new Handshake.Challenge(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hostNonce length : 31 (expected: 32)");
        assertThatThrownBy(() -> Handshake.Hello.create(
                        SECRET, challenge, 1, Capabilities.NONE, 1, 2, "", new byte[33], Extensions.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("daemonNonce length : 33");
        assertThatThrownBy(() -> new Handshake.Challenge(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("hostNonce");
    }

    @Test
    void shouldRefuseATokenGivenAsAnExtension() {
        Extensions ext = Extensions.builder()
                .put(Handshake.Hello.TOKEN, new byte[] {'t'})
                .build();
        assertThatThrownBy(() -> Handshake.Hello.answer(SECRET, challenge, 1, 2, "", Capabilities.NONE, ext))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TOKEN");
    }

    // ---- challenge, goodbye, secrets

    @Test
    void shouldRejectEmptySecret() {
        assertThatThrownBy(() -> Handshake.Hello.answer(new byte[0], challenge, 1, 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret is empty");
        Handshake.Hello hello = Handshake.Hello.answer(SECRET, challenge, 1, 1, "");
        assertThatThrownBy(() -> hello.verify(null, challenge)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRoundTripChallenge() {
        byte[] wire = encode(challenge::encode);
        assertThat(wire).isEqualTo(HOST_NONCE);
        assertThat(decode(wire, Handshake.Challenge::decode).hostNonce()).isEqualTo(HOST_NONCE);
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
    void shouldMakeFreshNoncesAndSecrets() {
        assertThat(Handshake.newNonce()).hasSize(Handshake.NONCE_LENGTH).isNotEqualTo(Handshake.newNonce());
        String secret = Handshake.newSecret();
        assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(Handshake.newSecret());
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
    }

    // ---- helpers

    /** A HELLO whose TOKEN entry holds {@code token} as it is. */
    private static byte[] tokenHello(byte[] token) {
        ByteBuf b = ALLOC.buffer()
                .writeShort(1)
                .writeLong(0)
                .writeInt(1)
                .writeLong(2)
                .writeBytes(DAEMON_NONCE)
                .writeShort(Handshake.Hello.TOKEN)
                .writeShort(token.length)
                .writeBytes(token)
                .writeZero(Handshake.PROOF_LENGTH);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Tampered bytes either fail to decode (a protocol error) or decode to something whose proof fails. */
    private static void assertRejectedOrUnverified(byte[] wire, Function<ByteBuf, Boolean> verify, int flipped) {
        ByteBuf in = ALLOC.buffer(wire.length).writeBytes(wire);
        try {
            Boolean ok;
            try {
                ok = verify.apply(in);
            } catch (ProtocolException e) {
                ok = false;
            }
            assertThat(ok).as("byte %d flipped", flipped).isFalse();
        } finally {
            in.release();
        }
    }

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
