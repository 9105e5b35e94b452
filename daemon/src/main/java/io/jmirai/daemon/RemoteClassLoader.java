package io.jmirai.daemon;

import io.jmirai.transport.protocol.BinaryNames;
import io.jmirai.transport.protocol.ClassFrames.ClassAnswer;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the tasks' classes on a daemon with remote class loading on ({@code Capability.CLASS_LOADING}): first from
 * its parent (the daemon's own classes), then from the daemon's {@code --classpath}, and a class neither has is
 * fetched by binary name from the host over the authenticated connection ({@link ClassFetcher}) and defined here,
 * once; the JVM then finds it in this loader's cache. Classes from {@code --classpath} and from the host are in this
 * one loader, so each can refer to the other. A class the host does not serve is remembered as missing (up to
 * {@link #MAX_MISSING} names), so a task that probes for it does not ask again. Only classes cross: resources
 * ({@code getResource}) come from the daemon's jar and {@code --classpath} alone.
 *
 * <p>One loader per daemon, shared by every task it runs: two tasks whose classes have the same name get the first
 * one's class. A failure leaves a {@link ClassNotFoundException} whose cause ({@link
 * ClassFetcher.ClassNotServedException}) says why, for the task's error.
 *
 * <p>Threading: parallel capable; {@link #findClass} blocks its caller for at most {@link ClassFetcher#WAIT} and is
 * refused on the event loop.
 */
final class RemoteClassLoader extends URLClassLoader {
    /** The name of the loader of the tasks' classes (from {@code --classpath} or from the host). */
    static final String NAME = "jmirai-tasks";
    /** How many names the host did not serve are remembered. */
    static final int MAX_MISSING = 4096;

    static {
        registerAsParallelCapable();
    }

    private final ClassFetcher fetcher;
    private final Map<String, String> missing = new ConcurrentHashMap<>();

    /**
     * @param classpath the daemon's {@code --classpath}, searched before the host
     * @param parent the daemon's own classes
     */
    RemoteClassLoader(URL[] classpath, ClassLoader parent, ClassFetcher fetcher) {
        super(NAME, classpath, parent);
        this.fetcher = fetcher;
    }

    /**
     * @return a loader for the tasks' classes that takes over {@code configured}'s URLs when it is the daemon's
     *     {@code --classpath} ({@link Classpath}), else one with {@code configured} as its parent
     */
    static RemoteClassLoader over(ClassLoader configured, ClassFetcher fetcher) {
        if (configured instanceof Classpath cp) {
            return new RemoteClassLoader(cp.getURLs(), cp.getParent(), fetcher);
        }
        return new RemoteClassLoader(new URL[0], configured, fetcher);
    }

    /**
     * The loader {@code DaemonMain} makes for {@code --classpath}: used as it is when remote class loading is off,
     * and taken over by a {@link RemoteClassLoader} when it is on.
     */
    static final class Classpath extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        Classpath(URL[] urls, ClassLoader parent) {
            super(NAME, urls, parent);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        try {
            return super.findClass(name); // the daemon's --classpath first
        } catch (ClassNotFoundException e) {
            // not there: ask the host
        }
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
