package io.jmirai.daemon;

import io.jmirai.transport.serial.RemoteError;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explains a task that failed because the daemon could not load a class: the error the host gets names the class, why
 * remote class loading did not supply it (when it was tried: not shipped by the host, switched off, no answer) and the
 * options that fix it ({@code --classpath}, or letting the host ship classes), and the daemon logs it once per class.
 * Called on the worker thread; thread-safe.
 */
final class MissingClass {
    private static final Logger LOG = LoggerFactory.getLogger(MissingClass.class);
    private static final int MAX_DEPTH = 32;
    private static final Set<String> LOGGED = Collections.synchronizedSet(new HashSet<>());

    private MissingClass() {}

    /**
     * @param t what a task threw (or its decoding)
     * @return the error to send: {@code t}'s, with a message that names the missing class and {@code --classpath}
     *     when a class could not be loaded
     */
    static RemoteError describe(Throwable t) {
        RemoteError error = RemoteError.of(t);
        String name = missingClassName(t);
        if (name == null) {
            return error;
        }
        String remote = notServedReason(t);
        String hint = "class not found on the daemon: " + name
                + (remote != null
                        ? "; remote class loading did not supply it: " + remote
                        : "; remote class loading is off (the daemon was started with --no-class-loading)")
                + "; start the daemon with --classpath holding it: the classes that define your tasks and the jars"
                + " they use, and jmirai-dispatcher-VERSION.jar for jmirai classes outside io.jmirai.api (Task,"
                + " MapFunction, DaemonContext); or let the host ship classes (Daemons.builder().shipClasses(true),"
                + " the default, and a daemon without --no-class-loading)";
        if (LOGGED.add(name)) {
            LOG.warn(hint);
        }
        String message = error.message() == null ? hint : error.message() + " (" + hint + ")";
        return new RemoteError(error.className(), message, error.stackTrace(), error.cause());
    }

    /** @return why remote class loading did not supply a class, from {@code t}'s causes, or null if it was not tried */
    static String notServedReason(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.size() < MAX_DEPTH && seen.add(c); c = c.getCause()) {
            if (c instanceof ClassFetcher.ClassNotServedException) {
                return c.getMessage();
            }
        }
        return null;
    }

    /** @return the binary name of the class that could not be loaded, or null if {@code t} is about something else */
    static String missingClassName(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.size() < MAX_DEPTH && seen.add(c); c = c.getCause()) {
            String m = c.getMessage();
            if (m == null || m.isBlank()) {
                continue;
            }
            if (c instanceof NoClassDefFoundError && !m.startsWith("Could not initialize class")) {
                return m.strip().replace('/', '.');
            }
            if (c instanceof ClassNotFoundException) {
                return m.strip();
            }
        }
        return null;
    }
}
