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
        assertThat(FrameType.CLASS_REQUEST.code()).isEqualTo(0x09);
        assertThat(FrameType.CLASS_BYTES.code()).isEqualTo(0x0a);
        assertThat(FrameType.RECALL.code()).isEqualTo(0x0e);
    }

    @Test
    void shouldSendClassFramesOnlyOnAConnectionThatNegotiatedClassLoading() {
        Negotiated bare = new Negotiated(1, Capabilities.NONE);
        Negotiated withClasses = new Negotiated(1, Capabilities.of(Capability.CLASS_LOADING));
        for (FrameType t : new FrameType[] {FrameType.CLASS_REQUEST, FrameType.CLASS_BYTES}) {
            assertThat(t.requires()).isEqualTo(Capabilities.of(Capability.CLASS_LOADING));
            assertThat(bare.canSend(t)).as("%s", t).isFalse();
            assertThat(withClasses.canSend(t)).as("%s", t).isTrue();
            withClasses.checkReceived(t);
            assertThatThrownBy(() -> bare.checkReceived(t))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("frame type not negotiated on this connection: type=" + t)
                    .hasMessageContaining("requires=[CLASS_LOADING]");
        }
    }

    @Test
    void shouldLookUpEveryTypeByItsCode() {
        for (FrameType t : FrameType.values()) {
            assertThat(FrameType.fromCode(t.code())).isSameAs(t);
        }
    }

    @Test
    void shouldAllowFlagsOnResultTaskClassBytesAndReplyOnly() {
        assertThat(FrameType.RESULT.allowedFlags()).isEqualTo(0b11111);
        assertThat(FrameType.Flags.RESULT_RECALLED).isEqualTo(16);
        assertThat(FrameType.Flags.RESULT_LAST).isEqualTo(8);
        assertThat(FrameType.Flags.RESULT_ERROR).isEqualTo(1);
        assertThat(FrameType.Flags.RESULT_CANCELLED).isEqualTo(2);
        assertThat(FrameType.Flags.RESULT_INTERRUPTED).isEqualTo(4);
        assertThat(FrameType.CLASS_BYTES.allowedFlags()).isEqualTo(FrameType.Flags.CLASS_NOT_FOUND);
        assertThat(FrameType.REPLY.allowedFlags()).isEqualTo(FrameType.Flags.REPLY_ERROR);
        assertThat(FrameType.TASK.allowedFlags()).isEqualTo(FrameType.Flags.TASK_TRACE_CONTEXT);
        assertThat(FrameType.Flags.TASK_TRACE_CONTEXT).isEqualTo(1);
        for (FrameType t : FrameType.values()) {
            if (t != FrameType.RESULT && t != FrameType.CLASS_BYTES && t != FrameType.REPLY && t != FrameType.TASK) {
                assertThat(t.allowedFlags()).as("flags of %s", t).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 0x7e, 0xff, 256, Integer.MAX_VALUE, Integer.MIN_VALUE})
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
                continue; // added later, each behind its capability (see the tests below)
            }
            assertThat(t.requires()).as("%s", t).isEqualTo(Capabilities.NONE);
            assertThat(bare.canSend(t)).as("%s", t).isTrue();
            bare.checkReceived(t);
        }
    }

    @Test
    void shouldSendRecallOnlyWhereNegotiated() {
        assertThat(FrameType.RECALL.requires()).isEqualTo(Capabilities.of(Capability.RECALL));
        assertThat(Capability.RECALL.bit()).isEqualTo(2);
        assertThat(new Negotiated(1, Capabilities.NONE).canSend(FrameType.RECALL))
                .isFalse();
        assertThat(new Negotiated(1, Capabilities.of(Capability.RECALL)).canSend(FrameType.RECALL))
                .isTrue();
        assertThatThrownBy(() -> new Negotiated(1, Capabilities.NONE).checkReceived(FrameType.RECALL))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("type=RECALL, requires=[RECALL]");
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
        // bits no capability uses yet, so that the message shows them as unknown
        Negotiated n = new Negotiated(1, new Capabilities(0b011L << 40));
        n.checkReceived("FUTURE", new Capabilities(0b001L << 40));
        assertThatThrownBy(() -> n.checkReceived("FUTURE", new Capabilities(0b100L << 40)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage(
                        "frame type not negotiated on this connection: type=FUTURE, requires=[unknown=0x40000000000],"
                                + " negotiated=[unknown=0x30000000000] (a peer must send it only after both sides advertised it)");
    }
}
