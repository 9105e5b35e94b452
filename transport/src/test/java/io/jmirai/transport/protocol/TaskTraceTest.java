package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The trace-context prefix of a traced TASK payload: golden bytes, round trip, and every malformed form refused. */
class TaskTraceTest {
    @Test
    void shouldEncodeToTheDocumentedLayout() {
        ByteBuf b = new TaskTrace("ab", "7").encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtil.hexDump(b)).isEqualTo("02" + "6162" + "01" + "37");
        } finally {
            b.release();
        }
    }

    @Test
    void shouldDecodeThePrefixAndLeaveTheTaskBytes() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        ByteBuf prefix = new TaskTrace(traceparent, "12").encode(UnpooledByteBufAllocator.DEFAULT);
        ByteBuf payload = Unpooled.wrappedBuffer(prefix, Unpooled.wrappedBuffer(new byte[] {9, 8, 7}));
        try {
            assertThat(TaskTrace.decode(payload)).isEqualTo(new TaskTrace(traceparent, "12"));
            assertThat(ByteBufUtil.getBytes(payload)).containsExactly(9, 8, 7);
        } finally {
            payload.release();
        }
    }

    @Test
    void shouldRefuseTruncatedOrNonAsciiPrefixes() {
        assertThatThrownBy(() -> TaskTrace.decode(Unpooled.EMPTY_BUFFER))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no length for context");
        assertThatThrownBy(() -> TaskTrace.decode(Unpooled.wrappedBuffer(new byte[] {5, 'a', 'b'})))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("context length=5, readable=2");
        assertThatThrownBy(() -> TaskTrace.decode(Unpooled.wrappedBuffer(new byte[] {1, 'a'})))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no length for daemonId");
        assertThatThrownBy(() -> TaskTrace.decode(Unpooled.wrappedBuffer(new byte[] {1, (byte) 0xc3, 0})))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("byte=0xc3");
        assertThatThrownBy(() -> TaskTrace.decode(Unpooled.wrappedBuffer(new byte[] {0, 0})))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("empty context");
    }

    @Test
    void shouldRefuseContextsThatCannotBeCarried() {
        assertThat(TaskTrace.isValidContext("00-ab")).isTrue();
        assertThat(TaskTrace.isValidContext("")).isFalse();
        assertThat(TaskTrace.isValidContext("x".repeat(256))).isFalse();
        assertThat(TaskTrace.isValidContext("caf\u00e9")).isFalse();
        assertThatThrownBy(() -> new TaskTrace("a\nb", "1")).isInstanceOf(IllegalArgumentException.class);
    }
}
