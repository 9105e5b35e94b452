package io.jmirai.transport.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary bytes, in arbitrary chunks, into the frame decoder: it either yields frames within the limit or raises a
 * {@link ProtocolException}; nothing else escapes, and every buffer is released. Regression mode (the default) runs
 * the corpus in {@code FrameDecoderFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
@Tag("fuzz")
@Timeout(120) // fuzz mode runs for maxDuration; the default 60 s test timeout would cut it short
class FrameDecoderFuzzTest {
    private static final int MAX = 64 * 1024;

    /**
     * @param data byte 0: bit 0 set = the handshake limit, else 64 KiB; byte 1: chunk size - 1; the rest: the stream,
     *     written in chunks of that size
     */
    @FuzzTest(maxDuration = "40s")
    void fuzzFrames(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int max = (data[0] & 1) != 0 ? FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH : MAX;
        int chunk = (data[1] & 0xff) + 1;
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(max));
        try {
            for (int at = 2; at < data.length; at += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(data, at, Math.min(chunk, data.length - at)));
                Object o;
                while ((o = ch.readInbound()) != null) {
                    Frame f = (Frame) o;
                    try {
                        if (f.payload().readableBytes() > max - FrameHeader.LENGTH_AFTER_LENGTH_FIELD) {
                            throw new IllegalStateException(
                                    "frame over the limit: " + f.payload().readableBytes());
                        }
                    } finally {
                        f.release();
                    }
                }
            }
        } catch (DecoderException e) {
            if (!(ProtocolException.unwrap(e) instanceof ProtocolException)) {
                throw e;
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
