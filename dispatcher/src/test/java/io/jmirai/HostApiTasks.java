package io.jmirai;

import io.jmirai.api.Task;

/**
 * A task whose enclosing class refers to jmirai's host API ({@link MiraiException}) in a method signature: a daemon
 * loads this class to deserialize the lambda, so it needs {@code jmirai-dispatcher} on its {@code --classpath}, or remote class loading.
 */
final class HostApiTasks {
    private HostApiTasks() {}

    static Task<String> hello() {
        return () -> "hello";
    }

    /** @return the names of the loaders of this class and of {@link MiraiException} on the daemon */
    static Task<String> loaderOfTheHostApi() {
        return () -> HostApiTasks.class.getClassLoader().getName() + " "
                + MiraiException.class.getClassLoader().getName();
    }

    static String describe(MiraiException e) {
        return e.getMessage();
    }
}
