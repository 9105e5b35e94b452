package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class ExtensionsTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void shouldEncodeEntriesInOrderAsTypeLengthValue() {
        Extensions ext = Extensions.builder()
                .put(0x0102, new byte[] {(byte) 0xAA})
                .put(0xFFFF, new byte[0])
                .build();
        ByteBuf out = ALLOC.buffer();
        try {
            ext.encode(out);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("01020001aa" + "ffff0000");
            assertThat(ext.encodedLength()).isEqualTo(9);
            Extensions back = Extensions.decode(out, out.readableBytes(), "TEST");
            assertThat(back).isEqualTo(ext);
            assertThat(back.types()).containsExactly(0x0102, 0xFFFF);
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    @Test
    void shouldLetAReaderSkipTypesItDoesNotKnow() {
        ByteBuf in = ALLOC.buffer().writeBytes(ByteBufUtil.decodeHexDump("7f000003616263" + "00010001" + "78"));
        try {
            Extensions ext = Extensions.decode(in, in.readableBytes(), "TEST");
            assertThat(ext.get(0x0001)).hasValueSatisfying(v -> assertThat(v).containsExactly('x'));
            assertThat(ext.get(0x0002)).isEmpty();
        } finally {
            in.release();
        }
    }

    @Test
    void shouldReadExactlyTheGivenLength() {
        ByteBuf in = ALLOC.buffer().writeBytes(ByteBufUtil.decodeHexDump("00010001" + "78" + "ee"));
        try {
            Extensions.decode(in, 5, "TEST");
            assertThat(in.readableBytes()).as("the byte after the tail stays").isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @Test
    void shouldRejectTruncatedAndRepeatedEntries() {
        assertDecodeFails("0001", "truncated TEST extension header: remaining=2");
        assertDecodeFails("00010005" + "7878", "truncated TEST extension: type=0x1, length=5, remaining=2");
        assertDecodeFails("00010000" + "00010000", "repeated TEST extension: type=0x1");
    }

    @Test
    void shouldCheckEntriesWhenBuilding() {
        assertThatThrownBy(() -> Extensions.builder().put(0x10000, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type : 65536 (expected: 0 to 65535)");
        assertThatThrownBy(() -> Extensions.builder().put(1, new byte[0x10000]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value length : 65536 (expected: <= 65535)");
        assertThatThrownBy(() -> Extensions.builder().put(1, new byte[0]).put(1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type : 0x1 (already present)");
        assertThat(Extensions.builder().build()).isSameAs(Extensions.NONE);
    }

    @Test
    void shouldHandOutCopies() {
        byte[] value = {1};
        Extensions ext = Extensions.builder().put(5, value).build();
        value[0] = 2;
        ext.get(5).orElseThrow()[0] = 3;
        assertThat(ext.get(5)).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
    }

    private static void assertDecodeFails(String hex, String message) {
        ByteBuf in = ALLOC.buffer().writeBytes(ByteBufUtil.decodeHexDump(hex));
        try {
            assertThatThrownBy(() -> Extensions.decode(in, in.readableBytes(), "TEST"))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage(message);
        } finally {
            in.release();
        }
    }
}
