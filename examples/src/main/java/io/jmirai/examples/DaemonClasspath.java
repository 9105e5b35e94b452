package io.jmirai.examples;

import io.jmirai.Daemons;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * What a hand-started daemon's {@code --classpath} must hold for an example's tasks: the example's own classes (a
 * lambda is loaded through the class that contains it) and, because those classes also refer to jmirai's host API
 * ({@code LaunchConfig}, {@code Daemons}, ...), the {@code jmirai-dispatcher} jar. The daemon jar brings the rest.
 */
final class DaemonClasspath {
    private DaemonClasspath() {}

    /** @return the classpath for tasks defined in {@code exampleClass} */
    static String forTasksOf(Class<?> exampleClass) {
        return locationOf(exampleClass) + File.pathSeparator + locationOf(Daemons.class);
    }

    private static String locationOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + c.getName(), e);
        }
    }
}
