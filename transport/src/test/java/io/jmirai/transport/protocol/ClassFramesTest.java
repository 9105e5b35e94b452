package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class ClassFramesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** CLASS_REQUEST, request id 5, task id 42, name "a.B$C". */
    private static final String REQUEST_FRAME_HEX = "0000001b" // frame length: 12 + 15
            + "01" // version
            + "09" // type CLASS_REQUEST
            + "0000" // flags
            + "0000000000000005" // correlation id: the request id
            + "000000000000002a" // task id
            + "0005" // name length
            + "612e422443"; // "a.B$C"

    /** CLASS_BYTES, request id 5, not found: "no". */
    private static final String NOT_FOUND_FRAME_HEX = "0000000e" + "01" + "0a" + "0001" + "0000000000000005" + "6e6f";

    @Test
    void shouldEncodeAClassRequestAsGoldenBytes() {
        ByteBuf frame = new ClassFrames.ClassRequest(42, "a.B$C").frame(ALLOC, 5);
        try {
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo(REQUEST_FRAME_HEX);
        } finally {
            frame.release();
        }
        ByteBuf notFound = ClassFrames.ClassAnswer.notFound("no").frame(ALLOC, 5);
        try {
            assertThat(ByteBufUtil.hexDump(notFound)).isEqualTo(NOT_FOUND_FRAME_HEX);
        } finally {
            notFound.release();
        }
    }

    @Test
    void shouldRoundTripThroughTheFrameDecoderInRandomChunks() {
        byte[] classFile = new byte[3000];
        new Random(7).nextBytes(classFile);
        classFile[0] = (byte) 0xCA;
        classFile[1] = (byte) 0xFE;
        classFile[2] = (byte) 0xBA;
        classFile[3] = (byte) 0xBE;
        ByteBuf wire = Unpooled.wrappedBuffer(
                new ClassFrames.ClassRequest(0, "com.example.Job$1").frame(ALLOC, 1),
                ClassFrames.ClassAnswer.found(classFile).frame(ALLOC, 1),
                ClassFrames.ClassAnswer.notFound("not on the class path").frame(ALLOC, 2));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(64 * 1024));
        Random chunks = new Random(42);
        try {
            while (wire.isReadable()) {
                ch.writeInbound(wire.readRetainedSlice(Math.min(wire.readableBytes(), 1 + chunks.nextInt(40))));
            }
        } finally {
            wire.release();
        }
        Frame request = ch.readInbound();
        Frame bytes = ch.readInbound();
        Frame notFound = ch.readInbound();
        try {
            assertThat(request.type()).isEqualTo(FrameType.CLASS_REQUEST);
            assertThat(ClassFrames.ClassRequest.decode(request.payload()))
                    .isEqualTo(new ClassFrames.ClassRequest(0, "com.example.Job$1"));
            assertThat(bytes.type()).isEqualTo(FrameType.CLASS_BYTES);
            ClassFrames.ClassAnswer found = ClassFrames.ClassAnswer.decode(bytes.flags(), bytes.payload());
            assertThat(found.isFound()).isTrue();
            assertThat(found.bytes()).isEqualTo(classFile);
            ClassFrames.ClassAnswer missing = ClassFrames.ClassAnswer.decode(notFound.flags(), notFound.payload());
            assertThat(notFound.correlationId()).isEqualTo(2);
            assertThat(missing.isFound()).isFalse();
            assertThat(missing.notFound()).isEqualTo("not on the class path");
        } finally {
            request.release();
            bytes.release();
            notFound.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldRejectMalformedRequests() {
        assertRequestRejected("0000000000000001", "class request too short: length=8");
        assertRequestRejected("00000000000000010000", "class request name length out of range: length=0");
        assertRequestRejected("00000000000000010401" + "61".repeat(1025), "name length out of range: length=1025");
        assertRequestRejected("000000000000000100026162ff", "class request length mismatch: nameLength=2");
        assertRequestRejected("0000000000000001000361", "class request length mismatch: nameLength=3");
    }

    @Test
    void shouldDecodeABadNameForTheHostToRefuse() {
        ByteBuf in = Unpooled.wrappedBuffer(
                ByteBufUtil.decodeHexDump("0000000000000000" + "0014" + "4d4554412d494e462f4d414e49464553542e4d46"));
        try {
            ClassFrames.ClassRequest r = ClassFrames.ClassRequest.decode(in);
            assertThat(r.name()).isEqualTo("META-INF/MANIFEST.MF");
            assertThat(BinaryNames.problem(r.name())).startsWith("not a binary name");
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectMalformedAnswers() {
        assertAnswerRejected(0, new byte[0], "class bytes length out of range: length=0");
        assertAnswerRejected(0, new byte[] {1, 2, 3, 4, 5}, "not a class file");
        assertAnswerRejected(
                FrameType.Flags.CLASS_NOT_FOUND, new byte[ClassFrames.MAX_REASON_BYTES + 1], "reason too long");
        byte[] huge = new byte[ClassFrames.MAX_CLASS_BYTES + 1];
        huge[0] = (byte) 0xCA;
        assertAnswerRejected(0, huge, "class bytes length out of range: length=" + huge.length);
    }

    @Test
    void shouldRefuseToEncodeWhatTheDecoderWouldReject() {
        assertThatThrownBy(() -> new ClassFrames.ClassRequest(0, "").frame(ALLOC, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClassFrames.ClassRequest(0, "a".repeat(1025)).frame(ALLOC, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClassFrames.ClassAnswer.found(new byte[ClassFrames.MAX_CLASS_BYTES + 1])
                        .frame(ALLOC, 1))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf longReason = ClassFrames.ClassAnswer.notFound("é".repeat(1000)).frame(ALLOC, 1);
        try {
            assertThat(longReason.readableBytes())
                    .as("a long reason is cut on a character boundary")
                    .isEqualTo(FrameHeader.LENGTH + ClassFrames.MAX_REASON_BYTES);
        } finally {
            longReason.release();
        }
    }

    private static void assertRequestRejected(String payloadHex, String message) {
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(payloadHex));
        try {
            assertThatThrownBy(() -> ClassFrames.ClassRequest.decode(in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining(message);
        } finally {
            in.release();
        }
    }

    private static void assertAnswerRejected(int flags, byte[] payload, String message) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        try {
            assertThatThrownBy(() -> ClassFrames.ClassAnswer.decode(flags, in))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining(message);
        } finally {
            in.release();
        }
    }
}
