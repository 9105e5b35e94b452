package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Encodes and decodes task and result payloads with pooled Kryo instances (Kryo is not thread-safe; the pool is).
 *
 * <p>Settings: registration not required (tasks carry arbitrary user classes), references on (object graphs with
 * cycles round-trip), objects without a no-arg constructor instantiated through Objenesis, and serializable lambdas
 * through {@link LambdaSerializer}. Encoding writes straight into a pooled {@link ByteBuf}; decoding reads through an
 * NIO view of the buffer, without copying it.
 *
 * <p>Decoding is bounded by {@link DecodeLimits}: payload length, declared sizes against the bytes present, nesting
 * depth and, optionally, the classes a payload may name. Still decode only what an authenticated peer sent, and treat
 * any {@code Throwable} from {@link #decode} as that payload's error. This class is thread-safe.
 */
public final class KryoCodec {
    private static final int INITIAL_BUFFER = 512;

    // Initialised now rather than in the middle of a stack overflow, which would leave it broken for good in this JVM
    // (Kryo's exception traces use StringBuffer).
    static {
        new StringBuffer(16).append(1).toString();
    }

    private final ClassLoader classLoader;
    private final DecodeLimits limits;
    private final Pool<Kryo> pool;
    private final LambdaDescriptors lambdas;

    /** @param classLoader loads the classes named in payloads */
    public KryoCodec(ClassLoader classLoader) {
        this(classLoader, DecodeLimits.TRUSTED);
    }

    /**
     * @param classLoader loads the classes named in payloads
     * @param limits what decoding one payload may do (size, depth, classes)
     */
    public KryoCodec(ClassLoader classLoader, DecodeLimits limits) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.lambdas = new LambdaDescriptors(classLoader);
        this.pool = new Pool<>(true, false, 64) {
            @Override
            protected Kryo create() {
                return newKryo();
            }
        };
    }

    /** @return how many distinct lambda descriptors this codec has resolved and cached (for tests) */
    int cachedLambdaDescriptors() {
        return lambdas.cachedCount();
    }

    /** @return the class loader payloads are decoded with */
    public ClassLoader classLoader() {
        return classLoader;
    }

    private Kryo newKryo() {
        Kryo kryo = new BoundedKryo(limits);
        kryo.setClassLoader(classLoader);
        kryo.setRegistrationRequired(false);
        kryo.setWarnUnregisteredClasses(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        if (limits.allowedClasses() == null) { // a lambda names its capturing class and runs its $deserializeLambda$
            kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer(lambdas));
        }
        return kryo;
    }

    /**
     * Encodes a value (with its class) into a new buffer from {@code alloc}.
     *
     * @return a buffer the caller owns
     * @throws com.esotericsoftware.kryo.KryoException if the value cannot be serialized (the buffer is released)
     */
    public ByteBuf encode(ByteBufAllocator alloc, Object value) {
        ByteBuf buf = alloc.ioBuffer(INITIAL_BUFFER);
        Kryo kryo = pool.obtain();
        try {
            ByteBufOutput out = new ByteBufOutput(buf);
            kryo.writeClassAndObject(out, value);
            return out.finish();
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        } finally {
            pool.free(kryo);
        }
    }

    /** Decodes the readable bytes of {@code buf}; does not release it or move its indices. */
    public Object decode(ByteBuf buf) {
        return decode(buf.nioBuffer());
    }

    /** Decodes a whole array. */
    public Object decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * @throws com.esotericsoftware.kryo.KryoException if the payload is malformed or exceeds the limits
     */
    private Object decode(ByteBuffer bytes) {
        if (bytes.remaining() > limits.maxBytes()) {
            throw new KryoException(
                    "payload too large: length=" + bytes.remaining() + ", maxBytes=" + limits.maxBytes());
        }
        Kryo kryo = pool.obtain();
        try {
            return kryo.readClassAndObject(new BoundedInput(bytes));
        } finally {
            pool.free(kryo);
        }
    }
}
