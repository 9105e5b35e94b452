package io.jmirai.transport.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.jmirai.transport.LeakCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.objenesis.strategy.StdInstantiatorStrategy;

/** Results are decoded with bounds: declared sizes against the bytes present, depth, size and an optional allowlist. */
@ExtendWith(LeakCheck.class)
class DecodeLimitsTest {
    private static final ClassLoader LOADER = DecodeLimitsTest.class.getClassLoader();
    private static final int LIE = 50_000_000;

    private final KryoCodec results = new KryoCodec(LOADER, new DecodeLimits(1 << 20, 1000, null));

    /** A writer that writes arrays declaring {@link #LIE} elements but holding only the first. */
    private static Kryo liar() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.addDefaultSerializer(Object[].class, new Serializer<Object[]>() {
            @Override
            public void write(Kryo k, Output output, Object[] array) {
                output.writeVarInt(LIE + 1, true);
                k.writeClassAndObject(output, array[0]);
            }

            @Override
            public Object[] read(Kryo k, Input input, Class<? extends Object[]> type) {
                throw new UnsupportedOperationException();
            }
        });
        return kryo;
    }

    private static byte[] write(Kryo kryo, Object value) {
        Output out = new Output(256, -1);
        kryo.writeClassAndObject(out, value);
        return out.toBytes();
    }

    /** Claims far more elements than it holds. */
    static final class LyingList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public int size() {
            return LIE;
        }
    }

    /** Claims far more entries than it holds. */
    static final class LyingMap extends HashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public int size() {
            return LIE;
        }
    }

    /** Counts calls to its hashCode, which a HashSet calls while it is filled. */
    static final class Gadget {
        static final AtomicInteger HASHED = new AtomicInteger();

        @Override
        public int hashCode() {
            HASHED.incrementAndGet();
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }
    }

    @Test
    void shouldRefuseNestedArraysDeclaringElementsThatAreNotThereBeforeAllocatingThem() {
        Object nested = "x";
        for (int i = 0; i < 9; i++) {
            nested = new Object[] {nested};
        }
        byte[] bomb = write(liar(), nested);
        assertThat(bomb.length).isLessThan(200);
        long before = usedHeap();
        assertThatThrownBy(() -> results.decode(bomb))
                .isInstanceOf(KryoException.class)
                .hasMessageContaining("declared size exceeds the bytes present");
        assertThat(usedHeap() - before).as("heap grown while decoding").isLessThan(64L << 20);
    }

    @Test
    void shouldRefuseCollectionsAndMapsDeclaringEntriesThatAreNotThere() {
        LyingList list = new LyingList();
        list.add(1);
        LyingMap map = new LyingMap();
        map.put(1, 2);
        KryoCodec writer = new KryoCodec(LOADER);
        for (Object liar : List.of(list, map)) {
            byte[] bytes = bytes(writer, liar);
            assertThatThrownBy(() -> results.decode(bytes))
                    .as("decoding %s", liar.getClass().getSimpleName())
                    .isInstanceOf(KryoException.class)
                    .hasMessageContaining("declared size exceeds the bytes present");
        }
    }

    @Test
    void shouldRefuseAStringDeclaringCharactersThatAreNotThere() {
        Kryo kryo = liar();
        Output out = new Output(64, -1);
        kryo.writeClass(out, String.class);
        out.writeVarInt(Kryo.NOT_NULL, true); // the reference marker: a new object follows
        out.writeVarIntFlag(true, LIE + 1, true); // UTF-8 form: char count + 1
        out.writeByte('a');
        byte[] bytes = out.toBytes();
        assertThatThrownBy(() -> results.decode(bytes))
                .isInstanceOf(KryoException.class)
                .hasMessageContaining("declared size exceeds the bytes present");
    }

    @Test
    void shouldStillDecodeWellFormedValuesOfEveryShape() {
        KryoCodec writer = new KryoCodec(LOADER);
        Map<String, Object> value = new HashMap<>();
        value.put("ints", new int[] {1, 2, 3});
        value.put("strings", new String[] {"a", "", null, "é€"});
        value.put("nested", new Object[] {new Object[] {"a", "b"}, List.of(), new ArrayList<>(List.of("c", "d"))});
        value.put("set", new HashSet<>(List.of(1L, 2L)));
        value.put("long text", "x".repeat(10_000) + "€".repeat(10_000));
        byte[] bytes = bytes(writer, new ArrayList<>(value.values()));
        Object decoded = results.decode(bytes);
        assertThat(decoded).isInstanceOf(ArrayList.class);
        assertThat((List<?>) decoded).hasSize(5);
    }

    @Test
    void shouldRefuseGraphsNestedDeeperThanTheLimitWithoutOverflowingTheStack() {
        Object nested = "x";
        for (int i = 0; i < 5000; i++) {
            nested = new Object[] {nested};
        }
        Object deep = nested;
        // encoded on a thread with a big stack, as a daemon with -Xss could; the host must refuse it either way
        KryoCodec writer = new KryoCodec(LOADER);
        byte[][] bytes = new byte[1][];
        Thread w = new Thread(null, () -> bytes[0] = bytes(writer, deep), "writer", 256 << 20);
        w.start();
        try {
            w.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(bytes[0]).as("encoded on a big stack").isNotNull();
        assertThatThrownBy(() -> results.decode(bytes[0]))
                .isInstanceOf(KryoException.class)
                .hasMessageContaining("Max depth");
    }

    @Test
    void shouldRefuseAResultLongerThanMaxBytes() {
        KryoCodec small = new KryoCodec(LOADER, new DecodeLimits(16, 1000, null));
        byte[] bytes = bytes(new KryoCodec(LOADER), "x".repeat(100));
        assertThatThrownBy(() -> small.decode(bytes))
                .isInstanceOf(KryoException.class)
                .hasMessageContaining("payload too large: length=" + bytes.length + ", maxBytes=16");
    }

    @Test
    void shouldRefuseClassesOutsideTheAllowlistBeforeRunningAnyOfTheirCode() {
        Set<Object> set = new HashSet<>(Set.of(new Gadget()));
        byte[] bytes = bytes(new KryoCodec(LOADER), set);
        int hashed = Gadget.HASHED.get();
        KryoCodec allowlisted = new KryoCodec(LOADER, new DecodeLimits(1 << 20, 1000, Set.of(Integer.class)));
        assertThatThrownBy(() -> allowlisted.decode(bytes))
                .isInstanceOf(KryoException.class)
                .hasMessageContaining("class not allowed in a result: class=" + Gadget.class.getName());
        assertThat(Gadget.HASHED.get()).isEqualTo(hashed);

        // allowed classes, arrays of them and the JDK base set decode
        KryoCodec withGadget = new KryoCodec(LOADER, new DecodeLimits(1 << 20, 1000, Set.of(Gadget.class)));
        assertThat(withGadget.decode(bytes)).isInstanceOf(HashSet.class);
        byte[] array = bytes(new KryoCodec(LOADER), new Object[] {new Gadget[1], 1, "s"});
        assertThat(withGadget.decode(array)).isInstanceOf(Object[].class);
    }

    private static byte[] bytes(KryoCodec codec, Object value) {
        io.netty.buffer.ByteBuf b = codec.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, value);
        try {
            return io.netty.buffer.ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
