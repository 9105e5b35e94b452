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
    void shouldAllowFlagsOnResultAndReplyOnly() {
        assertThat(FrameType.RESULT.allowedFlags()).isEqualTo(0b1111);
        assertThat(FrameType.Flags.RESULT_LAST).isEqualTo(8);
        assertThat(FrameType.Flags.RESULT_ERROR).isEqualTo(1);
        assertThat(FrameType.Flags.RESULT_CANCELLED).isEqualTo(2);
        assertThat(FrameType.Flags.RESULT_INTERRUPTED).isEqualTo(4);
        assertThat(FrameType.REPLY.allowedFlags()).isEqualTo(FrameType.Flags.REPLY_ERROR);
        for (FrameType t : FrameType.values()) {
            if (t != FrameType.RESULT && t != FrameType.REPLY) {
                assertThat(t.allowedFlags()).as("flags of %s", t).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 0x0c, 0xff, 256, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldRejectUnknownCode(int code) {
        assertThatThrownBy(() -> FrameType.fromCode(code))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("unknown frame type: code=0x" + Integer.toHexString(code) + " ")
                .hasMessageContaining("only after both sides advertised it");
    }

    @Test
    void shouldNeedNoCapabilityForTheTypesOfVersionOne() {
        Negotiated bare = new Negotiated(1, Capabilities.NONE);
        for (FrameType t : FrameType.values()) {
            if (t.code() > FrameType.CHALLENGE.code()) {
                continue; // added later, each with its capability (below)
            }
            assertThat(t.requires()).as("%s", t).isEqualTo(Capabilities.NONE);
            assertThat(bare.canSend(t)).as("%s", t).isTrue();
            bare.checkReceived(t);
        }
    }

    @Test
    void shouldSendTheClientFramesOnlyOnAClientConnection() {
        Negotiated daemon = new Negotiated(1, Capabilities.supported());
        Negotiated client = new Negotiated(1, Capabilities.supported().with(Capability.CLIENT));
        for (FrameType t : new FrameType[] {FrameType.REQUEST, FrameType.REPLY, FrameType.FAILURE}) {
            assertThat(t.requires()).as("%s", t).isEqualTo(Capabilities.of(Capability.CLIENT));
            assertThat(daemon.canSend(t)).as("%s", t).isFalse();
            assertThat(client.canSend(t)).as("%s", t).isTrue();
            assertThatThrownBy(() -> daemon.checkReceived(t))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("not negotiated");
            client.checkReceived(t);
        }
    }

    @Test
    void shouldRejectAFrameTypeTheConnectionDidNotNegotiate() {
        Negotiated n = new Negotiated(1, new Capabilities(0b011));
        n.checkReceived("FUTURE", new Capabilities(0b001));
        assertThatThrownBy(() -> n.checkReceived("FUTURE", new Capabilities(0b100)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("frame type not negotiated on this connection: type=FUTURE, requires=[unknown=0x4],"
                        + " negotiated=[unknown=0x3] (a peer must send it only after both sides advertised it)");
    }
}
