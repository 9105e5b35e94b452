package io.jmirai.daemon;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BooleanSupplier;

/**
 * Routes SIGINT to the running task: the signal interrupts the task (which resolves to a {@code MiraiInterrupt} on
 * the host) instead of ending the daemon; a SIGINT while no task runs ends the daemon as before (the JVM's own
 * handler). Built on {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which is readable without JVM
 * flags; it is reached through reflection so that the build's {@code -Werror} does not trip on the "internal
 * proprietary API" warning, and every failure (another JVM, a platform without the signal) leaves the JVM's default
 * behaviour in place. Installed by {@link DaemonMain}, for daemon processes only.
 */
final class InterruptSignal implements AutoCloseable {
    private final Object signal;
    private final Object previous;
    private final Method handle;

    private InterruptSignal(Object signal, Object previous, Method handle) {
        this.signal = signal;
        this.previous = previous;
        this.handle = handle;
    }

    /**
     * Installs the handler.
     *
     * @param onSignal interrupts the running task; returns false when none runs
     * @return the installed handler (close it to restore the previous one), or {@code null} if signals are unavailable
     */
    static InterruptSignal install(BooleanSupplier onSignal) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("INT");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method handlerMethod = handlerClass.getMethod("handle", signalClass);
            Object[] previous = new Object[1];
            InvocationHandler ih = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> {
                        if (!onSignal.getAsBoolean()) {
                            chain(handlerMethod, previous[0], args[0]);
                        }
                        return null;
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    default -> {
                        return "jmirai-sigint-handler";
                    }
                }
            };
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, ih);
            previous[0] = handle.invoke(null, signal, handler);
            return new InterruptSignal(signal, previous[0], handle);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // no signal support: SIGINT keeps ending the JVM
        }
    }

    private static void chain(Method handlerMethod, Object previous, Object signal) {
        try {
            handlerMethod.invoke(previous, signal);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            // the previous handler was the native default (it cannot be called from Java): end like it would
            Runtime.getRuntime().exit(130);
        }
    }

    /** Restores the previous handler. */
    @Override
    public void close() {
        try {
            handle.invoke(null, signal, previous);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // best effort: the process is ending anyway
        }
    }
}
