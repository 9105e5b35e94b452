package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import java.util.Collection;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A Kryo whose default serializers check declared sizes against the bytes present ({@link BoundedInput}) before they
 * allocate: arrays (every Kryo array serializer starts with the length), and the collection and map serializers that
 * pre-size ({@code ArrayList}, {@code HashSet}, {@code HashMap}, {@code PriorityQueue}). With an allowlist, classes
 * outside it are refused when first named in a payload. Nesting deeper than the limit is refused by Kryo's own
 * {@link Kryo#setMaxDepth(int) max depth}. Writing is unaffected. Not thread-safe (Kryo is not); pooled by
 * {@link KryoCodec}.
 */
final class BoundedKryo extends Kryo {
    BoundedKryo(DecodeLimits limits) {
        super(new AllowlistResolver(limits), new MapReferenceResolver());
        setMaxDepth(limits.maxDepth());
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Serializer getDefaultSerializer(Class type) {
        Serializer s = super.getDefaultSerializer(type);
        if (type.isArray()) {
            return new LengthChecked(s);
        }
        if (s.getClass() == CollectionSerializer.class) {
            return new CheckedCollection();
        }
        if (s.getClass() == DefaultSerializers.PriorityQueueSerializer.class) {
            return new CheckedPriorityQueue();
        }
        if (s.getClass() == MapSerializer.class) {
            return new CheckedMap();
        }
        return s;
    }

    static void charge(Input input, long count) {
        if (input instanceof BoundedInput bounded) {
            bounded.charge(count);
        }
    }

    /** Wraps an array serializer: peeks the length (varint, +1, 0 = null) and charges it before delegating. */
    private static final class LengthChecked<T> extends Serializer<T> {
        private final Serializer<T> delegate;

        LengthChecked(Serializer<T> delegate) {
            super(delegate.getAcceptsNull(), delegate.isImmutable());
            this.delegate = delegate;
        }

        @Override
        public void write(Kryo kryo, Output output, T object) {
            delegate.write(kryo, output, object);
        }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> type) {
            if (input instanceof BoundedInput bounded) {
                int length = bounded.peekLength();
                if (length > 1) {
                    bounded.charge(length - 1L);
                }
            }
            return delegate.read(kryo, input, type);
        }

        @Override
        public T copy(Kryo kryo, T original) {
            return delegate.copy(kryo, original);
        }
    }

    /** The collection serializer, charging the declared size before the collection is created. */
    @SuppressWarnings("rawtypes")
    private static final class CheckedCollection extends CollectionSerializer<Collection> {
        @Override
        protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type, int size) {
            charge(input, size);
            return super.create(kryo, input, type, size);
        }
    }

    /** The priority queue serializer (which pre-sizes too), charging the declared size. */
    private static final class CheckedPriorityQueue extends DefaultSerializers.PriorityQueueSerializer {
        @Override
        @SuppressWarnings("rawtypes")
        protected PriorityQueue create(Kryo kryo, Input input, Class<? extends PriorityQueue> type, int size) {
            charge(input, size);
            return super.create(kryo, input, type, size);
        }
    }

    /** The map serializer, charging the declared size (each entry takes at least two bytes). */
    @SuppressWarnings("rawtypes")
    private static final class CheckedMap extends MapSerializer<Map> {
        @Override
        protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
            charge(input, size);
            return super.create(kryo, input, type, size);
        }
    }

    /** Refuses classes outside the allowlist when a payload names them. */
    private static final class AllowlistResolver extends DefaultClassResolver {
        private final DecodeLimits limits;

        AllowlistResolver(DecodeLimits limits) {
            this.limits = limits;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Registration registerImplicit(Class type) {
            if (!limits.allows(type)) {
                throw new KryoException("class not allowed in a result: class=" + type.getName()
                        + " (allow it with Daemons.builder().resultClasses(...))");
            }
            return super.registerImplicit(type);
        }
    }
}
