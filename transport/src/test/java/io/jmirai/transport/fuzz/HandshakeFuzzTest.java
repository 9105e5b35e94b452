package io.jmirai.transport.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary payloads for every handshake message, as a stranger could send them before authenticating: decoding
 * either succeeds (and a forged HELLO does not verify) or raises a {@link ProtocolException}; nothing else escapes.
 */
@Tag("fuzz")
@Timeout(120) // fuzz mode runs for maxDuration; the default 60 s test timeout would cut it short
class HandshakeFuzzTest {
    private static final byte[] SECRET = "fuzz-secret".getBytes(StandardCharsets.UTF_8);
    private static final Handshake.Challenge CHALLENGE = new Handshake.Challenge(new byte[32]);

    /** @param data byte 0 mod 4: CHALLENGE, HELLO, WELCOME or GOODBYE; the rest: its payload */
    @FuzzTest(maxDuration = "40s")
    void fuzzHandshake(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int which = (data[0] & 0xff) % 4;
        ByteBuf in = Unpooled.wrappedBuffer(data, 1, data.length - 1);
        try {
            switch (which) {
                case 0 -> Handshake.Challenge.decode(in);
                case 1 -> {
                    Handshake.Hello hello = Handshake.Hello.decode(in);
                    if (hello.verify(SECRET, CHALLENGE)) {
                        throw new IllegalStateException("a fuzzed HELLO verified");
                    }
                }
                case 2 -> Handshake.Welcome.decode(in);
                default -> Handshake.Goodbye.decode(in);
            }
        } catch (ProtocolException e) {
            // refused: what a malformed handshake must get
        } finally {
            in.release();
        }
    }
}
