package io.jmirai.transport.fuzz;

import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed corpus of the fuzz suite (well-formed frames, handshake messages and results, plus the known bombs)
 * into {@code src/test/resources}. Run from the transport module's directory after a change to the wire format:
 * {@code java -cp target/test-classes:target/classes:<deps> io.jmirai.transport.fuzz.FuzzCorpus}; the files are
 * checked in.
 */
public final class FuzzCorpus {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final Path ROOT = Path.of("src/test/resources/io/jmirai/transport/fuzz");

    private FuzzCorpus() {}

    public static void main(String[] args) throws IOException {
        Path frames = ROOT.resolve("FrameDecoderFuzzTestInputs/fuzzFrames");
        byte[] task = bytes(FrameHeader.frame(ALLOC, FrameType.TASK, 0, 7, Unpooled.wrappedBuffer(new byte[100])));
        byte[] result = bytes(FrameHeader.frame(
                ALLOC, FrameType.RESULT, FrameType.Flags.RESULT_ERROR, 7, Unpooled.wrappedBuffer(new byte[10])));
        byte[] heartbeat = bytes(FrameHeader.frame(ALLOC, FrameType.HEARTBEAT, 0, 1, null));
        write(frames, "task-whole", concat(new byte[] {0, (byte) 255}, task));
        write(frames, "task-bytewise-then-heartbeat", concat(new byte[] {0, 0}, task, heartbeat));
        write(frames, "result-chunks-of-7", concat(new byte[] {0, 6}, result, task));
        write(frames, "handshake-limit-task", concat(new byte[] {1, 31}, task));
        byte[] huge = bytes(FrameHeader.frame(ALLOC, FrameType.TASK, 0, 1, null));
        huge[0] = 0x04; // declares 64 MiB
        write(frames, "declares-64-mib", concat(new byte[] {0, 15}, huge, new byte[64]));

        Path handshake = ROOT.resolve("HandshakeFuzzTestInputs/fuzzHandshake");
        Handshake.Challenge challenge = new Handshake.Challenge(Handshake.newNonce());
        Handshake.Hello hello = Handshake.Hello.answer("s".getBytes(StandardCharsets.UTF_8), challenge, 3, 4242, "tok");
        write(handshake, "challenge", concat(new byte[] {0}, bytes(challenge.encode(ALLOC))));
        write(handshake, "hello", concat(new byte[] {1}, bytes(hello.encode(ALLOC))));
        write(
                handshake,
                "welcome",
                concat(
                        new byte[] {2},
                        bytes(Handshake.Welcome.accept(
                                        "s".getBytes(StandardCharsets.UTF_8), challenge, hello, 1 << 20, 10_000)
                                .encode(ALLOC))));
        write(handshake, "goodbye", concat(new byte[] {3}, bytes(new Handshake.Goodbye(1, "bye").encode(ALLOC))));

        Path results = ROOT.resolve("ResultCodecFuzzTestInputs/fuzzResult");
        KryoCodec codec = new KryoCodec(FuzzCorpus.class.getClassLoader());
        Map<String, Object> map = new HashMap<>();
        map.put("k", List.of(1, 2));
        List<Object> list = new ArrayList<>(List.of("a", 2L, 3.0, new int[] {1, 2}, new Object[] {"x", null}));
        write(results, "string", concat(new byte[] {0}, bytes(codec.encode(ALLOC, "hello"))));
        write(results, "list", concat(new byte[] {0}, bytes(codec.encode(ALLOC, list))));
        write(results, "map", concat(new byte[] {0}, bytes(codec.encode(ALLOC, new HashMap<>(Map.of("k", 1))))));
        write(
                results,
                "error",
                concat(
                        new byte[] {1},
                        bytes(RemoteError.of(new IllegalStateException("boom", new RuntimeException("cause")))
                                .encode(ALLOC))));
        Object nested = "x";
        for (int i = 0; i < 9; i++) {
            nested = new Object[] {nested};
        }
        byte[] bomb = bytes(codec.encode(ALLOC, nested));
        write(results, "nested-arrays", concat(new byte[] {0}, bomb));
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
