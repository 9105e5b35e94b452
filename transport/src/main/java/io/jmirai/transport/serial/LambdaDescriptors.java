package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The constant part of a serialized lambda (capturing class, functional interface, implementation method and their
 * signatures) encoded once per lambda class on the writing side, and resolved once per distinct encoding on the
 * reading side (capturing class loaded, its {@code $deserializeLambda$} looked up), so that a task costs a byte copy
 * and a hash lookup instead of nine strings, a {@code Class.forName} and a method lookup.
 *
 * <p>Layout of a descriptor (Kryo strings and a varint, in this order): capturing class, functional interface class,
 * its method name, its method signature, implementation method kind (varint), implementation class, method name,
 * method signature, instantiated method type.
 *
 * <p>The reading cache belongs to one {@link KryoCodec} (one class loader) and holds at most {@link #MAX_CACHED}
 * entries; beyond that a descriptor is resolved on every use. Thread-safe.
 */
final class LambdaDescriptors {
    /** Longest descriptor accepted: far more than any real class name and signature need. */
    static final int MAX_LENGTH = 64 * 1024;
    /** Distinct lambdas remembered per codec. */
    static final int MAX_CACHED = 4096;

    private static final ClassValue<Method> DESERIALIZE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    private final ClassLoader classLoader;
    private final ConcurrentHashMap<Key, Resolved> cache = new ConcurrentHashMap<>();

    LambdaDescriptors(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** The resolved constant part of one lambda: what a task needs to rebuild it with its captured arguments. */
    record Resolved(
            Class<?> capturingClass,
            String functionalInterfaceClass,
            String functionalInterfaceMethodName,
            String functionalInterfaceMethodSignature,
            int implMethodKind,
            String implClass,
            String implMethodName,
            String implMethodSignature,
            String instantiatedMethodType,
            Method deserialize) {

        SerializedLambda serializedLambda(Object[] captured) {
            return new SerializedLambda(
                    capturingClass,
                    functionalInterfaceClass,
                    functionalInterfaceMethodName,
                    functionalInterfaceMethodSignature,
                    implMethodKind,
                    implClass,
                    implMethodName,
                    implMethodSignature,
                    instantiatedMethodType,
                    captured);
        }
    }

    /**
     * @return the descriptor bytes of {@code lambdaClass}, computed from {@code s} the first time (racing threads
     *     compute equal bytes; the first stored wins)
     */
    static byte[] encoded(Class<?> lambdaClass, SerializedLambda s) {
        return Encoded.OF.get(lambdaClass).get(s);
    }

    /** The descriptor bytes of one lambda class, computed on first use. */
    private static final class Encoded {
        static final ClassValue<Encoded> OF = new ClassValue<>() {
            @Override
            protected Encoded computeValue(Class<?> type) {
                return new Encoded();
            }
        };

        private volatile byte[] bytes;

        byte[] get(SerializedLambda s) {
            byte[] b = bytes;
            if (b == null) {
                b = encode(s);
                bytes = b;
            }
            return b;
        }
    }

    static byte[] encode(SerializedLambda s) {
        Output out = new Output(256, MAX_LENGTH);
        out.writeString(s.getCapturingClass());
        out.writeString(s.getFunctionalInterfaceClass());
        out.writeString(s.getFunctionalInterfaceMethodName());
        out.writeString(s.getFunctionalInterfaceMethodSignature());
        out.writeVarInt(s.getImplMethodKind(), true);
        out.writeString(s.getImplClass());
        out.writeString(s.getImplMethodName());
        out.writeString(s.getImplMethodSignature());
        out.writeString(s.getInstantiatedMethodType());
        return out.toBytes();
    }

    /**
     * Resolves the descriptor in {@code bytes[0..length)}: from the cache, or by loading its capturing class.
     *
     * @param bytes a scratch array; not kept (a cache entry copies it)
     * @throws KryoException if the capturing class is not found or has no {@code $deserializeLambda$}
     */
    Resolved resolve(byte[] bytes, int length) {
        Key probe = new Key(bytes, length);
        Resolved r = cache.get(probe);
        if (r != null) {
            return r;
        }
        r = parse(bytes, length);
        if (cache.size() < MAX_CACHED) {
            cache.putIfAbsent(new Key(Arrays.copyOf(bytes, length), length), r);
        }
        return r;
    }

    /** @return how many distinct descriptors are cached (for tests) */
    int cachedCount() {
        return cache.size();
    }

    private Resolved parse(byte[] bytes, int length) {
        Input in = new Input(bytes, 0, length);
        String capturingClassName = in.readString().replace('/', '.');
        String functionalInterfaceClass = in.readString();
        String functionalInterfaceMethodName = in.readString();
        String functionalInterfaceMethodSignature = in.readString();
        int implMethodKind = in.readVarInt(true);
        String implClass = in.readString();
        String implMethodName = in.readString();
        String implMethodSignature = in.readString();
        String instantiatedMethodType = in.readString();
        if (in.position() != length) {
            throw new KryoException(
                    "lambda descriptor has trailing bytes: length=" + length + ", read=" + in.position());
        }
        Class<?> capturingClass;
        try {
            capturingClass = Class.forName(capturingClassName, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new KryoException(
                    "lambda's capturing class not found: class=" + capturingClassName
                            + " (is it on the daemon's classpath?)",
                    e);
        }
        Method deserialize = DESERIALIZE.get(capturingClass);
        if (deserialize == null) {
            throw new KryoException("class has no $deserializeLambda$: class=" + capturingClassName);
        }
        return new Resolved(
                capturingClass,
                functionalInterfaceClass,
                functionalInterfaceMethodName,
                functionalInterfaceMethodSignature,
                implMethodKind,
                implClass,
                implMethodName,
                implMethodSignature,
                instantiatedMethodType,
                deserialize);
    }

    /** Descriptor bytes as a map key; a probe wraps the caller's scratch array without copying it. */
    private static final class Key {
        private final byte[] bytes;
        private final int length;
        private final int hash;

        Key(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
            int h = 1;
            for (int i = 0; i < length; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.length == length && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
