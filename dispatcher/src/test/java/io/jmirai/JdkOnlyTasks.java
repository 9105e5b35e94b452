package io.jmirai;

import io.jmirai.api.Task;

/**
 * Tasks whose class refers to nothing but the JDK and {@link Task}, for daemons whose classpath holds only the test
 * classes and the daemon jar.
 */
final class JdkOnlyTasks {
    private JdkOnlyTasks() {}

    static Task<String> javaVersionTimes(int n) {
        return () -> System.getProperty("java.specification.version").repeat(n);
    }
}
