package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class FrameDecoderTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** TASK, flags 0, task id 42, payload CA FE BA BE. */
    private static final String TASK_FRAME_HEX = "00000010" // frame length: 12 + 4
            + "01" // version
            + "03" // type TASK
            + "0000" // flags
            + "000000000000002a" // correlation id
            + "cafebabe"; // payload

    /**
     * HELLO, slot 7, pid 4242, token "tok", daemon nonce 00..1f, proved with secret "jmirai-test-secret" for host
     * nonce 40..5f (the payload is HandshakeTest's golden HELLO).
     */
    private static final String HELLO_FRAME_HEX = "00000069" // frame length: 12 + 93
            + "01" // frame header version
            + "01" // type HELLO
            + "0000" // flags
            + "0000000000000000" // correlation id
            + "0001" // protocol version
            + "0000000000000000" // capabilities
            + "00000007" // slot
            + "0000000000001092" // pid
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" // daemon nonce
            + "00010003746f6b" // TLV: TOKEN, 3 bytes, "tok"
            + "b47a9b36ff122804d00ffd96600eb0d3df66dd4eef430481589531520f04ba77"; // proof

    private static final byte[] HELLO_PROOF =
            ByteBufUtil.decodeHexDump("b47a9b36ff122804d00ffd96600eb0d3df66dd4eef430481589531520f04ba77");

    private static final int LIMIT = 64 * 1024;

    private EmbeddedChannel channel;
    private FrameDecoder decoder;

    @BeforeEach
    void setUp() {
        decoder = new FrameDecoder(LIMIT);
        channel = new EmbeddedChannel(decoder);
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll())
                .as("nothing left in the channel")
                .isFalse();
    }

    // ---- golden bytes

    @Test
    void shouldEncodeTaskFrameAsGoldenBytes() {
        ByteBuf payload = ALLOC.buffer(4).writeInt(0xCAFEBABE);
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.TASK, 0, 42, payload);
        try {
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo(TASK_FRAME_HEX);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldEncodeHelloFrameAsGoldenBytes() {
        Handshake.Hello hello = Handshake.Hello.create(
                "jmirai-test-secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                new Handshake.Challenge(sequence(0x40, 32)),
                1,
                Capabilities.NONE,
                7,
                4242,
                "tok",
                sequence(0x00, 32),
                Extensions.NONE);
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.HELLO, 0, 0, hello.encode(ALLOC));
        try {
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo(HELLO_FRAME_HEX);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldDecodeGoldenTaskFrame() {
        channel.writeInbound(buffer(ByteBufUtil.decodeHexDump(TASK_FRAME_HEX)));

        Frame frame = channel.readInbound();
        assertThat(frame.type()).isEqualTo(FrameType.TASK);
        assertThat(frame.flags()).isZero();
        assertThat(frame.correlationId()).isEqualTo(42);
        assertThat(ByteBufUtil.hexDump(frame.payload())).isEqualTo("cafebabe");
        releaseFully(frame);
    }

    @Test
    void shouldDecodeGoldenHelloFrame() {
        channel.writeInbound(buffer(ByteBufUtil.decodeHexDump(HELLO_FRAME_HEX)));

        Frame frame = channel.readInbound();
        assertThat(frame.type()).isEqualTo(FrameType.HELLO);
        assertThat(frame.correlationId()).isZero();
        Handshake.Hello hello = Handshake.Hello.decode(frame.payload());
        assertThat(hello.slot()).isEqualTo(7);
        assertThat(hello.pid()).isEqualTo(4242);
        assertThat(hello.token()).isEqualTo("tok");
        assertThat(hello.daemonNonce()).isEqualTo(sequence(0x00, 32));
        assertThat(hello.proof()).isEqualTo(HELLO_PROOF);
        releaseFully(frame);
    }

    // ---- streams

    @Test
    void shouldDecodeStreamFedWhole() {
        List<Expected> frames = sampleFrames(new Random(1));
        channel.writeInbound(buffer(concat(frames)));
        assertFrames(frames);
    }

    @Test
    void shouldDecodeStreamFedByteByByte() {
        List<Expected> frames = sampleFrames(new Random(2));
        byte[] stream = concat(frames);
        for (int i = 0; i < stream.length; i++) {
            channel.writeInbound(buffer(stream, i, 1));
        }
        assertFrames(frames);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 20261121, -5})
    void shouldDecodeStreamFedInSeededRandomChunks(long seed) {
        Random random = new Random(seed);
        List<Expected> frames = sampleFrames(random);
        byte[] stream = concat(frames);
        int chunks = 0;
        for (int offset = 0; offset < stream.length; chunks++) {
            int n = Math.min(stream.length - offset, 1 + random.nextInt(40));
            channel.writeInbound(buffer(stream, offset, n));
            offset += n;
        }
        assertThat(chunks).as("stream split into many chunks").isGreaterThan(frames.size());
        assertFrames(frames);
    }

    @Test
    void shouldWaitForRestOfFrame() {
        byte[] frame = frameBytes(FrameType.TASK, 0, 9, sequence(0, 100));

        channel.writeInbound(buffer(frame, 0, FrameHeader.LENGTH + 99));
        assertThat(channel.inboundMessages()).isEmpty();

        channel.writeInbound(buffer(frame, FrameHeader.LENGTH + 99, 1));
        Frame decoded = channel.readInbound();
        assertThat(ByteBufUtil.getBytes(decoded.payload())).isEqualTo(sequence(0, 100));
        releaseFully(decoded);
    }

    // ---- length

    @Test
    void shouldRejectFrameLongerThanLimitAsSoonAsLengthArrives() {
        byte[] frame = frameBytes(FrameType.TASK, 0, 1, new byte[LIMIT]); // length field = LIMIT + 12

        assertRejects(buffer(frame, 0, 4))
                .hasMessageContaining("frame too long")
                .hasMessageContaining("length=" + (LIMIT + 12))
                .hasMessageContaining("maxFrameLength=" + LIMIT);

        assertDiscardsEverythingAfter(Arrays.copyOfRange(frame, 4, frame.length));
    }

    @Test
    void shouldRejectLengthFieldAboveIntRangeAsUnsigned() {
        assertRejects(buffer(ByteBufUtil.decodeHexDump("ffffffff")))
                .hasMessageContaining("frame too long")
                .hasMessageContaining("length=4294967295");
        assertDiscardsEverythingAfter(frameBytes(FrameType.HEARTBEAT, 0, 1, new byte[0]));
    }

    @Test
    void shouldAcceptFrameExactlyAtLimit() {
        byte[] payload = new byte[LIMIT - FrameHeader.LENGTH_AFTER_LENGTH_FIELD];
        channel.writeInbound(buffer(frameBytes(FrameType.TASK, 0, 3, payload)));
        Frame frame = channel.readInbound();
        assertThat(frame.payload().readableBytes()).isEqualTo(payload.length);
        releaseFully(frame);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 11})
    void shouldRejectLengthShorterThanHeader(int length) {
        assertRejects(buffer(ByteBuffer.allocate(4).putInt(length).array()))
                .hasMessageContaining("frame too short")
                .hasMessageContaining("length=" + length);
        assertDiscardsEverythingAfter(frameBytes(FrameType.HEARTBEAT, 0, 1, new byte[0]));
    }

    @Test
    void shouldLetBiggerFrameThroughAfterRaisingLimit() {
        byte[] big = frameBytes(FrameType.TASK, 0, 5, sequence(3, 4000));
        EmbeddedChannel handshaking = new EmbeddedChannel(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH));
        assertThatThrownBy(() -> handshaking.writeInbound(buffer(big)))
                .isInstanceOf(DecoderException.class)
                .cause()
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame too long");
        assertThat(handshaking.finishAndReleaseAll()).isFalse();

        FrameDecoder raised = new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH);
        EmbeddedChannel authenticated = new EmbeddedChannel(raised);
        byte[] hello = ByteBufUtil.decodeHexDump(HELLO_FRAME_HEX);
        authenticated.writeInbound(buffer(hello));
        Frame helloFrame = authenticated.readInbound();
        releaseFully(helloFrame);

        raised.maxFrameLength(FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        assertThat(raised.maxFrameLength()).isEqualTo(FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        authenticated.writeInbound(buffer(big));
        Frame frame = authenticated.readInbound();
        assertThat(ByteBufUtil.getBytes(frame.payload())).isEqualTo(sequence(3, 4000));
        releaseFully(frame);
        assertThat(authenticated.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 11})
    void shouldRejectLimitBelowHeaderLength(int limit) {
        assertThatThrownBy(() -> new FrameDecoder(limit))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameLength : " + limit);
        assertThatThrownBy(() -> decoder.maxFrameLength(limit)).isInstanceOf(IllegalArgumentException.class);
        assertThat(decoder.maxFrameLength()).isEqualTo(LIMIT);
    }

    // ---- header fields

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x7e, 0x7f, 0xff})
    void shouldRejectUnknownTypeCode(int code) {
        assertRejects(buffer(header(12, FrameHeader.VERSION, code, 0, 0)))
                .hasMessageContaining("unknown frame type")
                .hasMessageContaining("code=0x" + Integer.toHexString(code));
        assertDiscardsEverythingAfter(frameBytes(FrameType.HEARTBEAT, 0, 1, new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xff})
    void shouldRejectWrongVersion(int version) {
        assertRejects(buffer(header(12, version, FrameType.HEARTBEAT.code(), 0, 0)))
                .hasMessageContaining("unsupported protocol version")
                .hasMessageContaining("version=" + version);
        assertDiscardsEverythingAfter(frameBytes(FrameType.HEARTBEAT, 0, 1, new byte[0]));
    }

    @Test
    void shouldAcceptResultFlagBitsZeroToTwo() {
        for (int flags = 0; flags <= 0b111; flags++) {
            channel.writeInbound(buffer(frameBytes(FrameType.RESULT, flags, 100 + flags, new byte[] {1})));
            Frame frame = channel.readInbound();
            assertThat(frame.type()).isEqualTo(FrameType.RESULT);
            assertThat(frame.flags()).isEqualTo(flags);
            assertThat(frame.correlationId()).isEqualTo(100 + flags);
            releaseFully(frame);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0020, 0x003f, 0x0100, 0x8000, 0xffff}) // bit 4 is RESULT_RECALLED
    void shouldRejectReservedResultFlagBits(int flags) {
        assertRejects(buffer(header(12, FrameHeader.VERSION, FrameType.RESULT.code(), flags, 1)))
                .hasMessageContaining("reserved flag bits set")
                .hasMessageContaining("type=RESULT")
                .hasMessageContaining("flags=0x" + Integer.toHexString(flags));
        assertDiscardsEverythingAfter(frameBytes(FrameType.RESULT, 0, 1, new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0002, 0x0004, 0x8000}) // bit 0 is TASK_TRACE_CONTEXT (checked against the negotiation)
    void shouldRejectAnyReservedFlagBitOnTask(int flags) {
        assertRejects(buffer(header(12, FrameHeader.VERSION, FrameType.TASK.code(), flags, 1)))
                .hasMessageContaining("reserved flag bits set")
                .hasMessageContaining("type=TASK");
        assertDiscardsEverythingAfter(frameBytes(FrameType.TASK, 0, 1, new byte[] {1}));
    }

    @Test
    void shouldDeliverFramesBeforeBadOneAndDiscardRest() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(frameBytes(FrameType.TASK, 0, 1, new byte[] {1, 2}));
        stream.writeBytes(frameBytes(FrameType.CANCEL, 0, 1, new byte[0]));
        stream.writeBytes(header(12, 9, FrameType.HEARTBEAT.code(), 0, 0)); // wrong version
        stream.writeBytes(frameBytes(FrameType.TASK, 0, 2, new byte[] {3}));

        assertRejects(buffer(stream.toByteArray())).hasMessageContaining("unsupported protocol version");

        Frame task = channel.readInbound();
        Frame cancel = channel.readInbound();
        assertThat(task.type()).isEqualTo(FrameType.TASK);
        assertThat(task.correlationId()).isEqualTo(1);
        assertThat(cancel.type()).isEqualTo(FrameType.CANCEL);
        releaseFully(task, cancel);
        assertDiscardsEverythingAfter(frameBytes(FrameType.TASK, 0, 3, new byte[] {4}));
    }

    // ---- helpers

    /** A frame the test expects, with its encoding. */
    private record Expected(FrameType type, int flags, long correlationId, byte[] payload) {
        byte[] bytes() {
            return frameBytes(type, flags, correlationId, payload);
        }
    }

    private static List<Expected> sampleFrames(Random random) {
        List<Expected> frames = new ArrayList<>();
        frames.add(new Expected(FrameType.CHALLENGE, 0, 0, randomBytes(random, Handshake.NONCE_LENGTH)));
        frames.add(new Expected(FrameType.HELLO, 0, 0, randomBytes(random, 81)));
        frames.add(new Expected(FrameType.WELCOME, 0, 0, randomBytes(random, 40)));
        frames.add(new Expected(FrameType.TASK, 0, 1, randomBytes(random, 300)));
        frames.add(new Expected(FrameType.TASK, 0, 2, randomBytes(random, 5000)));
        frames.add(new Expected(FrameType.CANCEL, 0, 2, new byte[0]));
        frames.add(new Expected(
                FrameType.RESULT,
                FrameType.Flags.RESULT_ERROR | FrameType.Flags.RESULT_INTERRUPTED,
                1,
                randomBytes(random, 57)));
        frames.add(new Expected(FrameType.RESULT, FrameType.Flags.RESULT_CANCELLED, 2, new byte[0]));
        frames.add(new Expected(FrameType.HEARTBEAT, 0, -1L, new byte[0])); // all 64 bits of the id
        frames.add(new Expected(FrameType.HEARTBEAT, 0, Long.MIN_VALUE, new byte[0]));
        frames.add(new Expected(FrameType.GOODBYE, 0, 0, randomBytes(random, 9)));
        return frames;
    }

    private void assertFrames(List<Expected> expected) {
        List<Frame> decoded = new ArrayList<>();
        for (Object m; (m = channel.readInbound()) != null; ) {
            decoded.add((Frame) m);
        }
        try {
            assertThat(decoded).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                Frame f = decoded.get(i);
                assertThat(f.type()).as("type of frame %d", i).isEqualTo(e.type());
                assertThat(f.flags()).as("flags of frame %d", i).isEqualTo(e.flags());
                assertThat(f.correlationId())
                        .as("correlation id of frame %d", i)
                        .isEqualTo(e.correlationId());
                assertThat(ByteBufUtil.getBytes(f.payload()))
                        .as("payload of frame %d", i)
                        .isEqualTo(e.payload());
            }
        } finally {
            releaseFully(decoded.toArray(new Frame[0]));
        }
    }

    /**
     * Releases each frame's one reference, then checks that the payloads are gone. Checked after all are released:
     * a payload is a retained slice of the receive buffer, and with some allocators the slices share that buffer's
     * reference count, so one frame's release only drops it to 0 once every frame cut from that buffer is released.
     */
    private static void releaseFully(Frame... frames) {
        List<ByteBuf> payloads = new ArrayList<>();
        for (Frame frame : frames) {
            assertThat(frame.refCnt()).as("%s is live", frame).isPositive();
            payloads.add(frame.payload());
        }
        for (Frame frame : frames) {
            frame.release();
        }
        for (ByteBuf payload : payloads) {
            assertThat(payload.refCnt()).as("payload released").isZero();
        }
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejects(ByteBuf in) {
        return assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOf(DecoderException.class)
                .cause()
                .isInstanceOf(ProtocolException.class);
    }

    /** After a failure the decoder swallows everything, without error and without emitting frames. */
    private void assertDiscardsEverythingAfter(byte[] more) {
        assertThat(channel.writeInbound(buffer(more))).isFalse();
        assertThat(channel.writeInbound(buffer(frameBytes(FrameType.TASK, 0, 77, new byte[] {7}))))
                .isFalse();
        assertThat(channel.inboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue(); // closing is the protocol handler's job, not the decoder's
    }

    private static byte[] frameBytes(FrameType type, int flags, long correlationId, byte[] payload) {
        ByteBuf p = payload.length == 0 ? null : ALLOC.buffer(payload.length).writeBytes(payload);
        ByteBuf frame = FrameHeader.frame(ALLOC, type, flags, correlationId, p);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    /** A raw header, for values {@link FrameHeader} refuses to write. */
    private static byte[] header(int length, int version, int typeCode, int flags, long correlationId) {
        return ByteBuffer.allocate(FrameHeader.LENGTH)
                .putInt(length)
                .put((byte) version)
                .put((byte) typeCode)
                .putShort((short) flags)
                .putLong(correlationId)
                .array();
    }

    private static byte[] concat(List<Expected> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Expected e : frames) {
            out.writeBytes(e.bytes());
        }
        return out.toByteArray();
    }

    private static ByteBuf buffer(byte[] bytes) {
        return buffer(bytes, 0, bytes.length);
    }

    private static ByteBuf buffer(byte[] bytes, int offset, int length) {
        return ALLOC.buffer(length).writeBytes(bytes, offset, length);
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] sequence(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
