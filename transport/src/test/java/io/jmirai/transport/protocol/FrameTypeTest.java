package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameTypeTest {
    @Test
    void shouldKeepCodesAsPublished() {
        // Codes are protocol: never renumber, only add.
        assertThat(FrameType.HELLO.code()).isEqualTo(0x01);
        assertThat(FrameType.WELCOME.code()).isEqualTo(0x02);
        assertThat(FrameType.TASK.code()).isEqualTo(0x03);
        assertThat(FrameType.RESULT.code()).isEqualTo(0x04);
        assertThat(FrameType.CANCEL.code()).isEqualTo(0x05);
        assertThat(FrameType.HEARTBEAT.code()).isEqualTo(0x06);
        assertThat(FrameType.GOODBYE.code()).isEqualTo(0x07);
        assertThat(FrameType.CHALLENGE.code()).isEqualTo(0x08);
    }

    @Test
    void shouldLookUpEveryTypeByItsCode() {
        for (FrameType t : FrameType.values()) {
            assertThat(FrameType.fromCode(t.code())).isSameAs(t);
        }
    }

    @Test
    void shouldAllowFlagsOnResultOnly() {
        assertThat(FrameType.RESULT.allowedFlags()).isEqualTo(0b1111);
        assertThat(FrameType.Flags.RESULT_LAST).isEqualTo(8);
        assertThat(FrameType.Flags.RESULT_ERROR).isEqualTo(1);
        assertThat(FrameType.Flags.RESULT_CANCELLED).isEqualTo(2);
        assertThat(FrameType.Flags.RESULT_INTERRUPTED).isEqualTo(4);
        for (FrameType t : FrameType.values()) {
            if (t != FrameType.RESULT) {
                assertThat(t.allowedFlags()).as("flags of %s", t).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 9, 0xff, 256, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldRejectUnknownCode(int code) {
        assertThatThrownBy(() -> FrameType.fromCode(code))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown frame type: code=0x" + Integer.toHexString(code));
    }
}
