package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Serializes serializable lambdas without JVM flags: the lambda's private {@code writeReplace()} gives a
 * {@link SerializedLambda} (all public getters), and on the reading side the capturing class's private
 * {@code $deserializeLambda$} rebuilds it. Both reflective calls target the user's classes, never {@code java.base}, so
 * no {@code --add-opens} is needed.
 *
 * <p>Encoding: the lambda's constant part as one length-prefixed descriptor ({@link LambdaDescriptors}: encoded once
 * per lambda class, resolved once per distinct descriptor by the reader), then the captured arguments as ordinary
 * objects:
 *
 * <pre>
 *  varint n | n bytes: descriptor | varint count | count x (class and object)
 * </pre>
 *
 * <p>Threading: one instance per {@link Kryo} (it keeps a scratch array), used by one thread at a time as Kryo is.
 */
final class LambdaSerializer extends Serializer<Object> {
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    private final LambdaDescriptors descriptors;
    private byte[] scratch = new byte[256];

    /** @param descriptors the reading cache of the codec this serializer's Kryo belongs to */
    LambdaSerializer(LambdaDescriptors descriptors) {
        this.descriptors = descriptors;
    }

    @Override
    public void write(Kryo kryo, Output output, Object lambda) {
        SerializedLambda s = serializedForm(lambda);
        byte[] descriptor = LambdaDescriptors.encoded(lambda.getClass(), s);
        output.writeVarInt(descriptor.length, true);
        output.writeBytes(descriptor);
        output.writeVarInt(s.getCapturedArgCount(), true);
        for (int i = 0; i < s.getCapturedArgCount(); i++) {
            kryo.writeClassAndObject(output, s.getCapturedArg(i));
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<? extends Object> type) {
        int length = input.readVarInt(true);
        if (length <= 0 || length > LambdaDescriptors.MAX_LENGTH) {
            throw new KryoException("lambda descriptor length out of range: length=" + length + " (expected: 1.."
                    + LambdaDescriptors.MAX_LENGTH + ")");
        }
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        input.readBytes(scratch, 0, length);
        LambdaDescriptors.Resolved d = descriptors.resolve(scratch, length);
        int count = input.readVarInt(true);
        if (count > 255) { // the JVM allows at most 255 parameters
            throw new KryoException("lambda captures too many arguments: count=" + count);
        }
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            captured[i] = kryo.readClassAndObject(input);
        }
        try {
            return d.deserialize().invoke(null, d.serializedLambda(captured));
        } catch (InvocationTargetException e) {
            throw new KryoException(
                    "lambda could not be rebuilt: class=" + d.capturingClass().getName(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException(
                    "lambda could not be rebuilt: class=" + d.capturingClass().getName(), e);
        }
    }

    private static SerializedLambda serializedForm(Object lambda) {
        Method writeReplace = WRITE_REPLACE.get(lambda.getClass());
        if (writeReplace == null) {
            throw new KryoException(
                    "lambda is not serializable: class=" + lambda.getClass().getName()
                            + " (declare it as io.jmirai.api.Task, or cast it to an intersection with Serializable)");
        }
        try {
            Object replacement = writeReplace.invoke(lambda);
            if (replacement instanceof SerializedLambda s) {
                return s;
            }
            throw new KryoException("lambda writeReplace returned " + replacement);
        } catch (InvocationTargetException | IllegalAccessException e) {
            throw new KryoException(
                    "lambda could not be serialized: class=" + lambda.getClass().getName(), e);
        }
    }
}
