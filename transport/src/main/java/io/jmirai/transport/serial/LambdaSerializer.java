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
 * no {@code --add-opens} is needed. Captured arguments are written as ordinary objects. Thread-safe.
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

    @Override
    public void write(Kryo kryo, Output output, Object lambda) {
        SerializedLambda s = serializedForm(lambda);
        output.writeString(s.getCapturingClass());
        output.writeString(s.getFunctionalInterfaceClass());
        output.writeString(s.getFunctionalInterfaceMethodName());
        output.writeString(s.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(s.getImplMethodKind(), true);
        output.writeString(s.getImplClass());
        output.writeString(s.getImplMethodName());
        output.writeString(s.getImplMethodSignature());
        output.writeString(s.getInstantiatedMethodType());
        output.writeVarInt(s.getCapturedArgCount(), true);
        for (int i = 0; i < s.getCapturedArgCount(); i++) {
            kryo.writeClassAndObject(output, s.getCapturedArg(i));
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<? extends Object> type) {
        String capturingClassName = input.readString().replace('/', '.');
        String functionalInterfaceClass = input.readString();
        String functionalInterfaceMethodName = input.readString();
        String functionalInterfaceMethodSignature = input.readString();
        int implMethodKind = input.readVarInt(true);
        String implClass = input.readString();
        String implMethodName = input.readString();
        String implMethodSignature = input.readString();
        String instantiatedMethodType = input.readString();
        int count = input.readVarInt(true);
        if (count > 255) { // the JVM allows at most 255 parameters
            throw new KryoException("lambda captures too many arguments: count=" + count);
        }
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            captured[i] = kryo.readClassAndObject(input);
        }
        Class<?> capturingClass;
        try {
            capturingClass = Class.forName(capturingClassName, false, kryo.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException(
                    "lambda's capturing class not found: class=" + capturingClassName
                            + " (is it on the daemon's classpath?)",
                    e);
        }
        SerializedLambda s = new SerializedLambda(
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
        Method deserialize = DESERIALIZE.get(capturingClass);
        if (deserialize == null) {
            throw new KryoException("class has no $deserializeLambda$: class=" + capturingClassName);
        }
        try {
            return deserialize.invoke(null, s);
        } catch (InvocationTargetException e) {
            throw new KryoException("lambda could not be rebuilt: class=" + capturingClassName, e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException("lambda could not be rebuilt: class=" + capturingClassName, e);
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
