package io.jmirai.transport.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.LeakCheck;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class RemoteErrorTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final int MAX_STRING = 1 << 20;
    private static final int MAX_FRAMES = 4096;
    private static final int MAX_DEPTH = 32;

    // ---- of(Throwable)

    @Test
    void shouldKeepClassNameMessageFramesAndCauseChain() {
        IOException root = new IOException("disk on fire");
        UncheckedIOException middle = new UncheckedIOException("wrapped", root);
        IllegalStateException top = new IllegalStateException("task failed", middle);

        RemoteError e = RemoteError.of(top);

        assertThat(e.className()).isEqualTo("java.lang.IllegalStateException");
        assertThat(e.message()).isEqualTo("task failed");
        assertThat(e.stackTrace()).containsExactly(top.getStackTrace()).isNotEmpty();
        assertThat(e.cause().className()).isEqualTo("java.io.UncheckedIOException");
        assertThat(e.cause().message()).isEqualTo("wrapped");
        assertThat(e.cause().stackTrace()).containsExactly(middle.getStackTrace());
        assertThat(e.cause().cause().className()).isEqualTo("java.io.IOException");
        assertThat(e.cause().cause().message()).isEqualTo("disk on fire");
        assertThat(e.cause().cause().cause()).isNull();
    }

    @Test
    void shouldKeepNullMessage() {
        assertThat(RemoteError.of(new NullPointerException()).message()).isNull();
    }

    @Test
    void shouldStopAtCycleInCauseChain() {
        Exception a = new Exception("a");
        Exception b = new Exception("b");
        a.initCause(b);
        b.initCause(a); // a → b → a → …

        RemoteError e = RemoteError.of(a);

        assertThat(e.message()).isEqualTo("a");
        assertThat(e.cause().message()).isEqualTo("b");
        assertThat(e.cause().cause()).isNull();
    }

    @Test
    void shouldCutCauseChainAt32() {
        Throwable t = new Exception("0");
        for (int i = 1; i < 100; i++) {
            t = new Exception(Integer.toString(i), t);
        }
        RemoteError e = RemoteError.of(t);
        assertThat(depth(e)).isEqualTo(MAX_DEPTH);
        assertThat(e.message()).isEqualTo("99");
        RemoteError decoded = decode(encode(e));
        assertThat(depth(decoded)).as("what of() makes, decode accepts").isEqualTo(MAX_DEPTH);
        RemoteError last = decoded;
        while (last.cause() != null) {
            last = last.cause();
        }
        assertThat(last.message()).isEqualTo(Integer.toString(99 - MAX_DEPTH + 1));
    }

    @Test
    void shouldCutStackTraceAt4096Frames() {
        Exception t = new Exception("deep");
        t.setStackTrace(frames(5000));
        RemoteError e = RemoteError.of(t);
        assertThat(e.stackTrace()).hasSize(MAX_FRAMES).containsExactly(frames(MAX_FRAMES));
        assertThat(decode(encode(e)).stackTrace()).hasSize(MAX_FRAMES);
    }

    // ---- encode → decode

    @Test
    void shouldRoundTripErrorFromThrowable() {
        IllegalStateException top = new IllegalStateException("ünïcödé ✓", new ArithmeticException(null));
        RemoteError e = RemoteError.of(top);

        RemoteError decoded = decode(encode(e));

        assertThat(decoded.className()).isEqualTo(e.className());
        assertThat(decoded.message()).isEqualTo("ünïcödé ✓");
        // Module and class loader names do not travel; compare what does.
        assertThat(decoded.stackTrace())
                .extracting(RemoteErrorTest::text)
                .containsExactlyElementsOf(
                        e.stackTrace().stream().map(RemoteErrorTest::text).toList());
        assertThat(decoded.cause().className()).isEqualTo("java.lang.ArithmeticException");
        assertThat(decoded.cause().message()).isNull();
        assertThat(decoded.cause().cause()).isNull();
    }

    @Test
    void shouldRoundTripSyntheticErrorExactly() {
        RemoteError cause =
                new RemoteError("x.Cause", "", List.of(new StackTraceElement("x.C", "run", null, -2)), null);
        RemoteError e = new RemoteError(
                "x.Top",
                null,
                List.of(new StackTraceElement("x.A", "a", "A.java", 10), new StackTraceElement("x.B", "b", "B.kt", 0)),
                cause);
        assertThat(decode(encode(e))).isEqualTo(e);
        RemoteError bare = new RemoteError("x.Bare", "m", List.of(), null);
        assertThat(decode(encode(bare))).isEqualTo(bare);
    }

    @Test
    void shouldPinEncoding() {
        RemoteError e = new RemoteError("E", null, List.of(new StackTraceElement("C", "m", null, 7)), null);
        assertThat(ByteBufUtil.hexDump(encode(e)))
                .isEqualTo("00000001" + "45" // className "E"
                        + "ffffffff" // message null
                        + "0001" // one frame
                        + "00000001" + "43" // declaring class "C"
                        + "00000001" + "6d" // method "m"
                        + "ffffffff" // file null
                        + "00000007" // line
                        + "00"); // no cause
    }

    @Test
    void shouldCutStringsLongerThanOneMebibyteOnEncode() {
        RemoteError e = new RemoteError("E", "m".repeat(MAX_STRING + 10), List.of(), null);
        assertThat(decode(encode(e)).message()).hasSize(MAX_STRING);
    }

    // ---- malformed input

    @Test
    void shouldRejectEveryTruncation() {
        IOException cause = new IOException("cause");
        cause.setStackTrace(frames(2));
        IllegalStateException top = new IllegalStateException("top", cause);
        top.setStackTrace(new StackTraceElement[] {new StackTraceElement("x.T", "t", null, -1)});
        byte[] wire = encode(RemoteError.of(top));
        for (int n = 0; n < wire.length; n++) {
            int length = n;
            assertRejected(b -> b.writeBytes(wire, 0, length), null);
        }
    }

    @Test
    void shouldRejectTrailingBytes() {
        byte[] wire = encode(new RemoteError("E", "m", List.of(), null));
        assertRejected(b -> b.writeBytes(wire).writeByte(0), "trailing bytes after error: trailing=1");
    }

    @ParameterizedTest
    @ValueSource(ints = {-2, Integer.MIN_VALUE, MAX_STRING + 1, Integer.MAX_VALUE})
    void shouldRejectBadStringLength(int length) {
        assertRejected(b -> b.writeInt(length).writeZero(64), "bad string length in error: length=" + length);
        assertRejected(
                b -> b.writeInt(1).writeByte('E').writeInt(length).writeZero(64),
                "bad string length in error: length=" + length);
    }

    @Test
    void shouldRejectStringLongerThanWhatIsLeft() {
        assertRejected(b -> b.writeInt(1000).writeZero(999), "bad string length in error: length=1000");
        assertRejected(b -> b.writeInt(MAX_STRING).writeZero(10), "bad string length in error: length=" + MAX_STRING);
    }

    @Test
    void shouldRejectMissingClassName() {
        assertRejected(b -> b.writeInt(-1).writeInt(-1).writeShort(0).writeBoolean(false), "error has no class name");
    }

    @ParameterizedTest
    @ValueSource(ints = {MAX_FRAMES + 1, 0xffff})
    void shouldRejectTooManyFrames(int count) {
        assertRejected(
                b -> b.writeInt(1).writeByte('E').writeInt(-1).writeShort(count),
                "too many stack frames: count=" + count + ", max=" + MAX_FRAMES);
    }

    @Test
    void shouldRejectCauseChainDeeperThan32() {
        RemoteError e = null;
        for (int i = 0; i < MAX_DEPTH + 1; i++) {
            e = new RemoteError("E" + i, null, List.of(), e);
        }
        assertThat(depth(e)).isEqualTo(MAX_DEPTH + 1);
        byte[] wire = encode(e);
        assertRejected(b -> b.writeBytes(wire), "error cause chain too deep: depth=" + MAX_DEPTH);

        assertThat(decode(encode(e.cause()))).as("32 deep is fine").isEqualTo(e.cause());
    }

    @Test
    void shouldRejectEndlessCauseFlagsWithoutStackOverflow() {
        // Each level is the smallest possible error with hasCause = 1, repeated far past the limit.
        assertRejected(
                b -> {
                    for (int i = 0; i < 10_000; i++) {
                        b.writeInt(1).writeByte('E').writeInt(-1).writeShort(0).writeBoolean(true);
                    }
                },
                "error cause chain too deep");
    }

    @Test
    void shouldNotReleaseInput() {
        ByteBuf in = ALLOC.buffer().writeBytes(encode(new RemoteError("E", "m", List.of(), null)));
        try {
            RemoteError.decode(in);
            assertThat(in.refCnt()).isEqualTo(1);
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    // ---- helpers

    private static byte[] encode(RemoteError e) {
        ByteBuf buf = e.encode(ALLOC);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static RemoteError decode(byte[] wire) {
        ByteBuf in = ALLOC.buffer(wire.length).writeBytes(wire);
        try {
            RemoteError e = RemoteError.decode(in);
            assertThat(in.isReadable()).isFalse();
            return e;
        } finally {
            in.release();
        }
    }

    /** Decoding what {@code writer} writes must raise a ProtocolException (message checked when not null). */
    private static void assertRejected(Consumer<ByteBuf> writer, String message) {
        ByteBuf in = ALLOC.buffer();
        try {
            writer.accept(in);
            var thrown = assertThatThrownBy(() -> RemoteError.decode(in)).isExactlyInstanceOf(ProtocolException.class);
            if (message != null) {
                thrown.hasMessageContaining(message);
            }
        } finally {
            in.release();
        }
    }

    private static int depth(RemoteError e) {
        int depth = 0;
        for (RemoteError c = e; c != null; c = c.cause()) {
            depth++;
        }
        return depth;
    }

    private static StackTraceElement[] frames(int n) {
        List<StackTraceElement> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            frames.add(new StackTraceElement("x.Deep", "level" + i, "Deep.java", i));
        }
        return frames.toArray(new StackTraceElement[0]);
    }

    private static String text(StackTraceElement f) {
        return f.getClassName() + "#" + f.getMethodName() + "#" + f.getFileName() + "#" + f.getLineNumber();
    }
}
