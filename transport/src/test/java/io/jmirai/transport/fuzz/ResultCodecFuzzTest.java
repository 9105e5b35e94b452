package io.jmirai.transport.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmirai.transport.protocol.ProtocolException;
import io.jmirai.transport.serial.DecodeLimits;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.Unpooled;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary RESULT payloads, as a compromised daemon could send them, through the host's result decoding: the Kryo
 * value codec with the limits recommended for untrusted networks (size, depth, the base allowlist) and the binary
 * error record. Any exception is that payload's error; running out of memory or overflowing the stack is a finding.
 */
@Tag("fuzz")
@Timeout(120) // fuzz mode runs for maxDuration; the default 60 s test timeout would cut it short
class ResultCodecFuzzTest {
    private static final KryoCodec RESULTS =
            new KryoCodec(ResultCodecFuzzTest.class.getClassLoader(), new DecodeLimits(1 << 20, 200, Set.of()));

    /** @param data byte 0 bit 0: an error record (else a Kryo value); the rest: the payload */
    @FuzzTest(maxDuration = "40s")
    void fuzzResult(byte[] data) {
        if (data.length < 1) {
            return;
        }
        boolean error = (data[0] & 1) != 0;
        byte[] payload = java.util.Arrays.copyOfRange(data, 1, data.length);
        if (error) {
            try {
                RemoteError.decode(Unpooled.wrappedBuffer(payload));
            } catch (ProtocolException e) {
                // refused
            }
            return;
        }
        try {
            RESULTS.decode(payload);
        } catch (VirtualMachineError e) {
            throw e; // a bound that did not hold
        } catch (Throwable e) {
            // that payload's error, as Mirai reports it
        }
    }
}
