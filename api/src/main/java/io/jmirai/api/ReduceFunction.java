package io.jmirai.api;

import java.io.Serializable;

/**
 * How results are combined by a reduce ({@code MiraiMap.reduce}, {@code Daemons.mapReduce}): a lambda assigned to it
 * is serializable, so it can run in a daemon. It must be associative, with the reduce's identity as its identity
 * ({@code op(identity, x) == x}); {@code MiraiMap.reduce} combines in the order results resolve, so there it must be
 * commutative too. Sums, products, minimums, maximums, counts and merges of counters all qualify.
 *
 * <pre>{@code
 * long total = daemons.mapReduce(items, x -> (long) x * x, 0L, Long::sum, MapOptions.defaults());
 * }</pre>
 *
 * @param <R> the type of values and of the result
 */
@FunctionalInterface
public interface ReduceFunction<R> extends Serializable {
    /**
     * @param accumulated what was combined so far (starts as the identity)
     * @param next the next value
     * @return the two combined
     * @throws Exception any exception: the reduce fails with it
     */
    R apply(R accumulated, R next) throws Exception;
}
