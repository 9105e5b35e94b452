package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.Status;
import io.jmirai.transport.protocol.ProtocolException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientCallsTest {
    private static final Status STATUS = new Status(
            "tls+tcp://127.0.0.1:5555",
            2,
            3,
            4,
            5,
            6,
            List.of(new Status.DaemonStatus("shared1", "tls+tcp://127.0.0.1:5555", true, 1, 7, 6)),
            8,
            9,
            10,
            2,
            2,
            0,
            List.of("slot 3: exited with code 1"));

    @Test
    void shouldRoundTripAStatus() {
        assertThat(ClientCalls.decodeStatus(ClientCalls.encodeStatus(STATUS))).isEqualTo(STATUS);
    }

    @Test
    void shouldRejectEveryTruncationOfAStatusWithAProtocolError() {
        byte[] whole = ClientCalls.encodeStatus(STATUS);
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            assertThatThrownBy(() -> ClientCalls.decodeStatus(cut))
                    .as("cut at %d", n)
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("truncated or malformed");
        }
    }

    @Test
    void shouldNotAllocateWhatALengthClaimsBeyondThePayload() {
        byte[] huge = new ClientCalls.Out().i32(Integer.MAX_VALUE).toBytes(); // a string "of 2 GiB", 4 bytes long
        assertThatThrownBy(() -> new ClientCalls.In(huge).str())
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("need=" + Integer.MAX_VALUE);
        byte[] negative = new ClientCalls.Out().i32(-1).toBytes();
        assertThatThrownBy(() -> new ClientCalls.In(negative).bytes()).isInstanceOf(ProtocolException.class);
    }

    @Test
    void shouldRoundTripEveryValueKind() {
        byte[] b = new ClientCalls.Out()
                .u8(0xFF)
                .i32(-7)
                .i64(Long.MIN_VALUE)
                .str("jöb")
                .bytes(new byte[] {1, 2})
                .raw(new byte[] {3})
                .toBytes();
        ClientCalls.In in = new ClientCalls.In(b);
        assertThat(in.u8()).isEqualTo(0xFF);
        assertThat(in.i32()).isEqualTo(-7);
        assertThat(in.i64()).isEqualTo(Long.MIN_VALUE);
        assertThat(in.str()).isEqualTo("jöb");
        assertThat(in.bytes()).containsExactly(1, 2);
        assertThat(in.rest()).containsExactly(3);
        assertThat(in.remaining()).isZero();
    }

    @Test
    void shouldRejectAStringThatIsNotUtf8() {
        byte[] bad = new ClientCalls.Out().bytes(new byte[] {(byte) 0xC3}).toBytes();
        assertThatThrownBy(() -> new ClientCalls.In(bad).str())
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not UTF-8");
    }
}
