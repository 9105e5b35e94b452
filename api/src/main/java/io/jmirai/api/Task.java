package io.jmirai.api;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A unit of work evaluated in a daemon JVM: a serializable lambda (or any serializable {@link Callable}).
 *
 * <p>Variables the lambda captures travel with it; that is how arguments reach the daemon:
 *
 * <pre>{@code
 * int n = 10;
 * Mirai<Long> m = daemons.mirai(() -> LongStream.rangeClosed(1, n).sum());
 * }</pre>
 *
 * <p>The daemon needs the classes the task uses: local daemons share the host's classpath, remote daemons take a
 * classpath option. Everything the task captures must be serializable by Kryo (values, user classes, records,
 * collections and arrays are).
 *
 * @param <T> the type of the task's value
 */
@FunctionalInterface
public interface Task<T> extends Callable<T>, Serializable {
    /**
     * Computes the task's value in the daemon.
     *
     * @return the value, sent back to the host
     * @throws Exception any exception; the host sees it as a {@code MiraiError}
     */
    @Override
    T call() throws Exception;
}
