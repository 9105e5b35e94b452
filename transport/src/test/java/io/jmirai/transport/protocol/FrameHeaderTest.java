package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class FrameHeaderTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void shouldPinHeaderConstants() {
        assertThat(FrameHeader.VERSION).isEqualTo(1);
        assertThat(FrameHeader.LENGTH).isEqualTo(16);
        assertThat(FrameHeader.LENGTH_AFTER_LENGTH_FIELD).isEqualTo(12);
        assertThat(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH).isEqualTo(1024);
        assertThat(FrameHeader.DEFAULT_MAX_FRAME_LENGTH).isEqualTo(256 * 1024 * 1024);
    }

    @Test
    void shouldWriteHeaderFieldsBigEndianAtTheirOffsets() {
        ByteBuf header = FrameHeader.encode(ALLOC, FrameType.RESULT, 0b011, 0x0102030405060708L, 100);
        try {
            assertThat(header.readableBytes()).isEqualTo(FrameHeader.LENGTH);
            assertThat(header.getInt(0)).as("frame length = 12 + payload").isEqualTo(112);
            assertThat(header.getUnsignedByte(4)).as("version").isEqualTo((short) FrameHeader.VERSION);
            assertThat(header.getUnsignedByte(5)).as("type").isEqualTo((short) 0x04);
            assertThat(header.getUnsignedShort(6)).as("flags").isEqualTo(0b011);
            assertThat(header.getLong(8)).as("correlation id").isEqualTo(0x0102030405060708L);
            assertThat(ByteBufUtil.hexDump(header)).isEqualTo("00000070" + "01" + "04" + "0003" + "0102030405060708");
        } finally {
            header.release();
        }
    }

    @Test
    void shouldWriteNegativeCorrelationIdAsAllBits() {
        ByteBuf header = FrameHeader.encode(ALLOC, FrameType.HEARTBEAT, 0, -2L, 0);
        try {
            assertThat(ByteBufUtil.hexDump(header)).isEqualTo("0000000c" + "01" + "06" + "0000" + "fffffffffffffffe");
        } finally {
            header.release();
        }
    }

    @Test
    void shouldCopyASmallPayloadBehindTheHeaderInOneBuffer() {
        ByteBuf payload = ALLOC.buffer(8).writeLong(0x1122334455667788L);
        ByteBuf frame = FrameHeader.compactFrame(ALLOC, FrameType.RESULT, 0b001, 7, payload);
        try {
            assertThat(frame).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(payload.refCnt()).as("copied, then released").isZero();
            assertThat(ByteBufUtil.hexDump(frame))
                    .isEqualTo("00000014" + "01" + "04" + "0001" + "0000000000000007" + "1122334455667788");
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldComposeALargePayloadAndReleaseOnBadFlagsWhenCompacting() {
        ByteBuf large =
                ALLOC.buffer(FrameHeader.COMPACT_MAX_PAYLOAD + 1).writeZero(FrameHeader.COMPACT_MAX_PAYLOAD + 1);
        ByteBuf frame = FrameHeader.compactFrame(ALLOC, FrameType.RESULT, 0, 1, large);
        try {
            assertThat(frame).isInstanceOf(CompositeByteBuf.class);
            assertThat(frame.readableBytes()).isEqualTo(FrameHeader.LENGTH + FrameHeader.COMPACT_MAX_PAYLOAD + 1);
        } finally {
            frame.release();
        }
        ByteBuf small = ALLOC.buffer(1).writeByte(1);
        assertThatThrownBy(() -> FrameHeader.compactFrame(ALLOC, FrameType.HEARTBEAT, 0x1, 1, small))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(small.refCnt()).isZero();
        ByteBuf none = FrameHeader.compactFrame(ALLOC, FrameType.RESULT, 0, 1, null);
        assertThat(none.readableBytes()).isEqualTo(FrameHeader.LENGTH);
        none.release();
    }

    @Test
    void shouldComposeHeaderAndPayloadWithoutCopying() {
        ByteBuf payload = ALLOC.buffer(8).writeLong(0x1122334455667788L);
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.TASK, 0, 7, payload);
        try {
            assertThat(frame).isInstanceOf(CompositeByteBuf.class);
            assertThat(((CompositeByteBuf) frame).numComponents()).isEqualTo(2);
            assertThat(frame.readableBytes()).isEqualTo(FrameHeader.LENGTH + 8);
            assertThat(frame.getInt(0)).isEqualTo(12 + 8);
            assertThat(frame.getLong(FrameHeader.LENGTH)).isEqualTo(0x1122334455667788L);

            // Same memory: a write to the original payload shows through the frame.
            payload.setByte(0, 0x7f);
            payload.setByte(7, 0x01);
            assertThat(frame.getByte(FrameHeader.LENGTH)).isEqualTo((byte) 0x7f);
            assertThat(frame.getByte(FrameHeader.LENGTH + 7)).isEqualTo((byte) 0x01);
            assertThat(payload.refCnt())
                    .as("the composite took the payload's reference")
                    .isEqualTo(1);
        } finally {
            assertThat(frame.release()).isTrue();
        }
        assertThat(payload.refCnt())
                .as("releasing the frame released the payload")
                .isZero();
    }

    @Test
    void shouldCountOnlyReadableBytesOfPayload() {
        ByteBuf payload = ALLOC.buffer(10).writeBytes(new byte[] {9, 9, 9, 1, 2, 3});
        payload.skipBytes(3);
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.TASK, 0, 1, payload);
        try {
            assertThat(frame.getInt(0)).isEqualTo(12 + 3);
            assertThat(ByteBufUtil.hexDump(frame, FrameHeader.LENGTH, frame.readableBytes() - FrameHeader.LENGTH))
                    .isEqualTo("010203");
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldReturnHeaderAloneForNullPayload() {
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.CANCEL, 0, 3, null);
        try {
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo("0000000c" + "01" + "05" + "0000" + "0000000000000003");
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldReleaseEmptyPayloadAndReturnHeaderAlone() {
        ByteBuf empty = ALLOC.buffer(4);
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.HEARTBEAT, 0, 1, empty);
        try {
            assertThat(empty.refCnt()).isZero();
            assertThat(frame.readableBytes()).isEqualTo(FrameHeader.LENGTH);
            assertThat(frame.getInt(0)).isEqualTo(12);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldAllowResultFlagBits() {
        for (int flags = 0; flags <= 0b111; flags++) {
            ByteBuf header = FrameHeader.encode(ALLOC, FrameType.RESULT, flags, 1, 0);
            assertThat(header.getUnsignedShort(6)).isEqualTo(flags);
            header.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x20, 0x40, 0x8000, 0x10000, -1}) // bit 4 (0x10) is RESULT_RECALLED
    void shouldRejectFlagsNotAllowedForResultAndReleasePayload(int flags) {
        ByteBuf payload = ALLOC.buffer(4).writeInt(1);
        assertThatThrownBy(() -> FrameHeader.frame(ALLOC, FrameType.RESULT, flags, 1, payload))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flags : 0x" + Integer.toHexString(flags))
                .hasMessageContaining("not allowed for RESULT")
                .hasMessageContaining("allowed=0x1f");
        assertThat(payload.refCnt()).isZero();
    }

    @ParameterizedTest
    @EnumSource(
            value = FrameType.class,
            names = {"RESULT", "TASK", "CLASS_BYTES", "REPLY"},
            mode = EnumSource.Mode.EXCLUDE)
    void shouldRejectAnyFlagOnTypesWithoutFlagsAndReleasePayload(FrameType type) {
        ByteBuf payload = ALLOC.buffer(4).writeInt(1);
        assertThatThrownBy(() -> FrameHeader.frame(ALLOC, type, FrameType.Flags.RESULT_ERROR, 1, payload))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not allowed for " + type);
        assertThat(payload.refCnt()).isZero();
        assertThatThrownBy(() -> FrameHeader.encode(ALLOC, type, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectReservedTaskFlagsAndReleasePayload() {
        ByteBuf payload = ALLOC.buffer(4).writeInt(1);
        assertThatThrownBy(() -> FrameHeader.frame(ALLOC, FrameType.TASK, 2, 1, payload))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not allowed for TASK");
        assertThat(payload.refCnt()).isZero();
        ByteBuf traced = FrameHeader.frame(ALLOC, FrameType.TASK, FrameType.Flags.TASK_TRACE_CONTEXT, 1, null);
        traced.release();
    }

    @Test
    void shouldAllowOnlyTheNotFoundFlagOnClassBytes() {
        FrameHeader.encode(ALLOC, FrameType.CLASS_BYTES, FrameType.Flags.CLASS_NOT_FOUND, 1, 0)
                .release();
        assertThatThrownBy(() -> FrameHeader.encode(ALLOC, FrameType.CLASS_BYTES, 2, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not allowed for CLASS_BYTES");
    }

    @Test
    void shouldRejectBadFlagsWithNullPayload() {
        assertThatThrownBy(() -> FrameHeader.frame(ALLOC, FrameType.TASK, 2, 1, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
