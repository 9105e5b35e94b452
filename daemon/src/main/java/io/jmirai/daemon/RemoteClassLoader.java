package io.jmirai.daemon;

import io.jmirai.transport.protocol.BinaryNames;
import io.jmirai.transport.protocol.ClassFrames.ClassAnswer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the classes a task needs that the daemon does not have from the host (remote class loading,
 * {@code Capability.CLASS_LOADING}): a class its parent (the daemon's own classes and {@code --classpath}) cannot load
 * is fetched by binary name over the authenticated connection ({@link ClassFetcher}) and defined here, once; the JVM
 * then finds it in this loader's cache. A class the host does not serve is remembered as missing (up to
 * {@link #MAX_MISSING} names), so a task that probes for it does not ask again. Only classes cross: resources
 * ({@code getResource}) come from the parent alone.
 *
 * <p>One loader per daemon, shared by every task it runs: two tasks whose classes have the same name get the first
 * one's class. A failure leaves a {@link ClassNotFoundException} whose cause ({@link
 * ClassFetcher.ClassNotServedException}) says why, for the task's error.
 *
 * <p>Threading: parallel capable; {@link #findClass} blocks its caller for at most {@link ClassFetcher#WAIT} and is
 * refused on the event loop.
 */
final class RemoteClassLoader extends ClassLoader {
    /** How many names the host did not serve are remembered. */
    static final int MAX_MISSING = 4096;

    static {
        registerAsParallelCapable();
    }

    private final ClassFetcher fetcher;
    private final Map<String, String> missing = new ConcurrentHashMap<>();

    RemoteClassLoader(ClassLoader parent, ClassFetcher fetcher) {
        super("jmirai-remote", parent);
        this.fetcher = fetcher;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String problem = BinaryNames.problem(name);
        if (problem != null) {
            throw notFound(name, problem);
        }
        String known = missing.get(name);
        if (known != null) {
            throw notFound(name, known);
        }
        ClassAnswer answer;
        try {
            answer = fetcher.fetch(name);
        } catch (ClassFetcher.ClassNotServedException e) {
            throw notFound(name, e.getMessage());
        }
        if (!answer.isFound()) {
            String why = "the host does not serve it either: " + answer.notFound();
            if (missing.size() < MAX_MISSING) {
                missing.put(name, why);
            }
            throw notFound(name, why);
        }
        byte[] bytes = answer.bytes();
        return defineClass(name, bytes, 0, bytes.length);
    }

    private static ClassNotFoundException notFound(String name, String why) {
        // the message is the name alone, as the JDK's loaders do (MissingClass reads it); the cause says why
        return new ClassNotFoundException(name, new ClassFetcher.ClassNotServedException(why));
    }
}
