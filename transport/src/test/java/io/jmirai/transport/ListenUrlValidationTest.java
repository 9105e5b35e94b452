package io.jmirai.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.protocol.Handshake;
import org.junit.jupiter.api.Test;

class ListenUrlValidationTest {
    @Test
    void shouldRejectSignedPortsAndHostsWithUserInfoOrSpaces() {
        assertThatThrownBy(() -> ListenUrl.parse("tcp://h:+80")).hasMessageContaining("port is not a number: +80");
        assertThatThrownBy(() -> ListenUrl.parse("tcp://user@host:80")).hasMessageContaining("bad host: user@host");
        assertThatThrownBy(() -> ListenUrl.parse("tcp://a b:80")).hasMessageContaining("bad host: a b");
        assertThatThrownBy(() -> ListenUrl.parse("tcp://h:123456")).hasMessageContaining("port : 123456");
    }

    @Test
    void shouldRejectNegativeHeartbeatsAndOutOfRangeGoodbyeCodes() {
        Handshake.Challenge c = new Handshake.Challenge(Handshake.newNonce());
        Handshake.Hello hello = Handshake.Hello.answer(new byte[] {1}, c, 1, 1, "");
        assertThatThrownBy(() -> Handshake.Welcome.accept(new byte[] {1}, c, hello, 1 << 20, -1))
                .hasMessage("heartbeatMillis : -1 (expected: >= 0)");
        assertThatThrownBy(() -> new Handshake.Goodbye(70_000, "x")).hasMessage("code : 70000 (expected: 0 to 65535)");
    }

    @Test
    void shouldCutALongGoodbyeReasonBetweenCharacters() {
        String reason = "é".repeat(400); // 800 bytes of two-byte characters; 512 is a character boundary
        String odd = "x" + reason; // 801 bytes; the cut at 512 would split a character
        io.netty.buffer.ByteBuf buf = new Handshake.Goodbye(1, odd).encode(io.netty.buffer.ByteBufAllocator.DEFAULT);
        try {
            String decoded = Handshake.Goodbye.decode(buf).reason();
            org.assertj.core.api.Assertions.assertThat(decoded)
                    .doesNotContain("\uFFFD")
                    .startsWith("xé");
            org.assertj.core.api.Assertions.assertThat(decoded.length()).isEqualTo(1 + 255);
        } finally {
            buf.release();
        }
    }
}
