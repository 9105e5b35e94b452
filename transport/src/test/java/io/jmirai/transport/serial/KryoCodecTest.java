package io.jmirai.transport.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.KryoException;
import io.jmirai.api.Task;
import io.jmirai.transport.LeakCheck;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class KryoCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final KryoCodec host = new KryoCodec(KryoCodecTest.class.getClassLoader());
    private final KryoCodec daemon = new KryoCodec(KryoCodecTest.class.getClassLoader());

    record Point(int x, int y) {}

    record Named(String name, List<Point> points) {}

    /** No no-arg constructor: Kryo needs Objenesis to make one. */
    static final class Account {
        private final String owner;
        private final long balance;

        Account(String owner, long balance) {
            this.owner = Objects.requireNonNull(owner);
            this.balance = balance;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account a && a.owner.equals(owner) && a.balance == balance;
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, balance);
        }
    }

    static final class Node {
        String label;
        Node next;
    }

    // ---- lambdas

    @Test
    void shouldRoundTripCapturingLambdaAndCallIt() throws Exception {
        int n = 5;
        String prefix = "sum:";
        Point p = new Point(2, 3);
        List<Integer> list = new ArrayList<>(List.of(10, 20, 30));
        Task<String> task = () ->
                prefix + (n + p.x() * p.y() + list.stream().mapToInt(i -> i).sum());

        Object decoded = roundTrip(task);

        assertThat(decoded).isInstanceOf(Task.class).isNotSameAs(task);
        assertThat(((Task<?>) decoded).call()).isEqualTo("sum:71");
    }

    @Test
    void shouldRoundTripLambdaCapturingImmutableCollections() throws Exception {
        List<String> names = List.of("a", "b", "c");
        Map<String, Integer> weights = Map.of("a", 1, "b", 2, "c", 3);
        Task<Integer> task = () -> names.stream().mapToInt(weights::get).sum();

        assertThat(((Task<?>) roundTrip(task)).call()).isEqualTo(6);
    }

    @Test
    void shouldRoundTripLambdaCapturingAnotherLambda() throws Exception {
        int base = 20;
        Task<Integer> inner = () -> base;
        Task<Integer> outer = () -> inner.call() + 22;

        assertThat(((Task<?>) roundTrip(outer)).call()).isEqualTo(42);
    }

    @Test
    void shouldRoundTripNonCapturingLambda() throws Exception {
        Task<String> task = () -> "hello";
        assertThat(((Task<?>) roundTrip(task)).call()).isEqualTo("hello");
    }

    private static Task<Integer> adder(int k) {
        return () -> 40 + k;
    }

    @Test
    void shouldResolveALambdaOnceAndRebuildItWithEachTasksCapturedValues() throws Exception {
        KryoCodec reader = new KryoCodec(KryoCodecTest.class.getClassLoader());
        for (int k = 0; k < 5; k++) {
            ByteBuf buf = host.encode(ALLOC, adder(k));
            try {
                assertThat(((Task<?>) reader.decode(buf)).call()).isEqualTo(40 + k);
            } finally {
                buf.release();
            }
        }
        assertThat(reader.cachedLambdaDescriptors())
                .as("one lambda class: resolved once")
                .isEqualTo(1);
        Task<String> other = () -> "other";
        ByteBuf buf = host.encode(ALLOC, other);
        try {
            assertThat(((Task<?>) reader.decode(buf)).call()).isEqualTo("other");
        } finally {
            buf.release();
        }
        assertThat(reader.cachedLambdaDescriptors())
                .as("a second lambda: a miss")
                .isEqualTo(2);
    }

    @Test
    void shouldEncodeTheSameDescriptorBytesForEveryInstanceOfALambda() {
        ByteBuf a = host.encode(ALLOC, adder(1));
        ByteBuf b = host.encode(ALLOC, adder(2));
        try {
            // same length: only the captured int differs, in the last byte
            assertThat(a.readableBytes()).isEqualTo(b.readableBytes());
            assertThat(ByteBufUtil.equals(a, 0, b, 0, a.readableBytes() - 1)).isTrue();
        } finally {
            a.release();
            b.release();
        }
    }

    @Test
    void shouldNotCacheALambdaWhoseCapturingClassIsMissing() {
        KryoCodec blind = new KryoCodec(new ClassLoader(null) {});
        Task<String> task = () -> "x";
        ByteBuf buf = host.encode(ALLOC, task);
        try {
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> blind.decode(buf))
                        .isInstanceOf(KryoException.class)
                        .hasMessageContaining(
                                "lambda's capturing class not found: class=" + KryoCodecTest.class.getName());
            }
            assertThat(blind.cachedLambdaDescriptors()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectNonSerializableLambdaWithClearMessage() {
        Supplier<Integer> plain = () -> 42;
        Object value = plain;
        assertEncodeFails(value, "lambda is not serializable", "io.jmirai.api.Task");

        Runnable runnable = () -> {};
        assertEncodeFails(runnable, "lambda is not serializable", "io.jmirai.api.Task");
    }

    @Test
    void shouldRejectTaskCapturingNonSerializableLambda() {
        Supplier<Integer> plain = () -> 42;
        Task<Integer> task = () -> plain.get() + 1;
        // The message names the captured lambda's class, whose name is the class that wrote it.
        assertEncodeFails(task, "lambda is not serializable", "class=" + KryoCodecTest.class.getName() + "$$Lambda");
    }

    @Test
    void shouldReleaseBufferWhenEncodeFails() {
        RecordingAllocator alloc = new RecordingAllocator();
        Runnable runnable = () -> {};
        assertThatThrownBy(() -> host.encode(alloc, runnable)).isInstanceOf(KryoException.class);
        assertThat(alloc.allocated).hasSize(1);
        assertThat(alloc.allocated.get(0).refCnt()).isZero();
    }

    // ---- values

    @Test
    void shouldRoundTripRecords() {
        Named named = new Named("shape", List.of(new Point(0, 0), new Point(1, -1)));
        assertThat(roundTrip(named)).isEqualTo(named);
        assertThat(roundTrip(new Point(Integer.MIN_VALUE, Integer.MAX_VALUE)))
                .isEqualTo(new Point(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void shouldRoundTripClassWithoutNoArgConstructor() {
        assertThat(roundTrip(new Account("ada", -12))).isEqualTo(new Account("ada", -12));
    }

    @Test
    void shouldRoundTripNestedCollectionsAndMaps() {
        Map<String, List<Map<Integer, Set<String>>>> value = new HashMap<>();
        Map<Integer, Set<String>> inner = new TreeMap<>();
        inner.put(1, new HashSet<>(List.of("x", "y")));
        inner.put(2, Set.of());
        value.put("a", new ArrayList<>(List.of(inner, Map.of(3, Set.of("z")))));
        value.put("b", List.of());
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", List.of(List.of(1, 2), List.of()));
        linked.put("m", null);

        assertThat(roundTrip(value)).isEqualTo(value);
        Object decoded = roundTrip(linked);
        assertThat(decoded).isInstanceOf(LinkedHashMap.class).isEqualTo(linked);
        List<Object> keys = new ArrayList<>(((Map<?, ?>) decoded).keySet());
        assertThat(keys).containsExactly("z", "a", "m");
    }

    @Test
    void shouldRoundTripArrays() {
        assertThat(roundTrip(new int[] {1, -2, Integer.MAX_VALUE})).isEqualTo(new int[] {1, -2, Integer.MAX_VALUE});
        assertThat(roundTrip(new long[] {Long.MIN_VALUE, 0})).isEqualTo(new long[] {Long.MIN_VALUE, 0});
        assertThat(roundTrip(new double[] {Math.PI, Double.NaN})).isEqualTo(new double[] {Math.PI, Double.NaN});
        assertThat(roundTrip(new boolean[] {true, false})).isEqualTo(new boolean[] {true, false});
        assertThat(roundTrip(new char[] {'a', 'é', '✓'})).isEqualTo(new char[] {'a', 'é', '✓'});
        assertThat(roundTrip(new byte[0])).isEqualTo(new byte[0]);
        assertThat(roundTrip(new String[] {"a", null, ""})).isEqualTo(new String[] {"a", null, ""});
        assertThat(roundTrip(new int[][] {{1}, {}, {2, 3}})).isEqualTo(new int[][] {{1}, {}, {2, 3}});
        Object[] mixed = {1, "two", new Point(3, 3), null, new long[] {4}};
        assertThat((Object[]) roundTrip(mixed)).containsExactly(1, "two", new Point(3, 3), null, new long[] {4});
    }

    @Test
    void shouldRoundTripNullAndBoxedValues() {
        assertThat(roundTrip(null)).isNull();
        assertThat(roundTrip(42)).isEqualTo(42);
        assertThat(roundTrip("")).isEqualTo("");
        assertThat(roundTrip("ünïcödé ✓ 𝄞")).isEqualTo("ünïcödé ✓ 𝄞");
    }

    @Test
    void shouldRoundTripCyclicGraph() {
        Node self = new Node();
        self.label = "self";
        self.next = self;
        Node decoded = (Node) roundTrip(self);
        assertThat(decoded.label).isEqualTo("self");
        assertThat(decoded.next).isSameAs(decoded);

        Node a = new Node();
        Node b = new Node();
        a.next = b;
        b.next = a;
        Node decodedA = (Node) roundTrip(a);
        assertThat(decodedA.next).isNotSameAs(decodedA);
        assertThat(decodedA.next.next).isSameAs(decodedA);
    }

    @Test
    void shouldGrowBufferForTenMebibyteArray() {
        byte[] big = new byte[10 * 1024 * 1024];
        new Random(7).nextBytes(big);
        ByteBuf buf = host.encode(ALLOC, big);
        try {
            assertThat(buf.readableBytes()).isGreaterThan(big.length);
            assertThat((byte[]) daemon.decode(buf)).isEqualTo(big);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldGrowBufferForManySmallWrites() {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            strings.add("s" + i);
        }
        long[] longs = new Random(3).longs(50_000).toArray();
        Object[] value = {strings, longs};
        Object[] decoded = (Object[]) roundTrip(value);
        assertThat(decoded[0]).isEqualTo(strings);
        assertThat((long[]) decoded[1]).isEqualTo(longs);
    }

    // ---- decoding

    @Test
    void shouldNotConsumeOrReleaseBufferWhenDecoding() {
        ByteBuf buf = host.encode(ALLOC, new Point(4, 5));
        try {
            int reader = buf.readerIndex();
            int writer = buf.writerIndex();
            assertThat(daemon.decode(buf)).isEqualTo(new Point(4, 5));
            assertThat(daemon.decode(buf)).as("decodes again").isEqualTo(new Point(4, 5));
            assertThat(buf.readerIndex()).isEqualTo(reader);
            assertThat(buf.writerIndex()).isEqualTo(writer);
            assertThat(buf.refCnt()).isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldDecodeFromByteArray() {
        ByteBuf buf = host.encode(ALLOC, List.of("x", 1));
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
        assertThat(daemon.decode(bytes)).isEqualTo(List.of("x", 1));
    }

    @Test
    void shouldDecodeFramePayloadSlicedFromReceiveBuffer() throws Exception {
        int n = 6;
        Task<Integer> task = () -> n * 7;
        ByteBuf frame = FrameHeader.frame(ALLOC, FrameType.TASK, 0, 1, host.encode(ALLOC, task));
        ByteBuf padding = ALLOC.buffer().writeBytes(new byte[] {0, 0, 0, 12, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
        // A heartbeat first, so the payload starts at a non-zero offset of the receive buffer.
        channel.writeInbound(ALLOC.compositeBuffer().addComponents(true, padding, frame));
        Frame heartbeat = channel.readInbound();
        Frame taskFrame = channel.readInbound();
        try {
            assertThat(heartbeat.type()).isEqualTo(FrameType.HEARTBEAT);
            assertThat(((Task<?>) daemon.decode(taskFrame.payload())).call()).isEqualTo(42);
        } finally {
            heartbeat.release();
            taskFrame.release();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void shouldThrowOnGarbage() {
        byte[] garbage = {0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f};
        assertThatThrownBy(() -> daemon.decode(garbage)).isInstanceOf(Throwable.class);

        ByteBuf buf = ALLOC.buffer().writeBytes(garbage);
        try {
            assertThatThrownBy(() -> daemon.decode(buf)).isInstanceOf(Throwable.class);
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.refCnt()).isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldThrowOnTruncatedPayload() {
        ByteBuf buf = host.encode(ALLOC, new Named("truncated", List.of(new Point(1, 2))));
        try {
            ByteBuf half = buf.slice(0, buf.readableBytes() / 2);
            assertThatThrownBy(() -> daemon.decode(half)).isInstanceOf(Throwable.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldThrowOnRandomGarbageWithoutCrashing() {
        Random random = new Random(11);
        int failures = 0;
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            garbage[0] = (byte) (0x10 | random.nextInt(0x70)); // an unregistered class id, never null (0)
            try {
                daemon.decode(garbage);
            } catch (Throwable expected) { // anything but a crash of the JVM
                failures++;
            }
        }
        assertThat(failures).isEqualTo(200);
    }

    @Test
    void shouldRejectNullClassLoader() {
        assertThatThrownBy(() -> new KryoCodec(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("classLoader");
        assertThat(host.classLoader()).isSameAs(KryoCodecTest.class.getClassLoader());
    }

    // ---- helpers

    /** Encodes with one codec and decodes with another, as host and daemon do. */
    private Object roundTrip(Object value) {
        ByteBuf buf = host.encode(ALLOC, value);
        try {
            return daemon.decode(buf);
        } finally {
            buf.release();
        }
    }

    private void assertEncodeFails(Object value, String... messageParts) {
        assertThatThrownBy(() -> host.encode(ALLOC, value))
                .isInstanceOf(KryoException.class)
                .hasMessageContainingAll(messageParts);
    }

    /** Hands out unpooled heap buffers: never recycled, so their reference count can be read after release. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = Unpooled.buffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
