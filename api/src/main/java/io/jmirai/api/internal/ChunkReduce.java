package io.jmirai.api.internal;

import io.jmirai.api.MapFunction;
import io.jmirai.api.ReduceFunction;
import io.jmirai.api.Task;
import java.util.List;
import java.util.Objects;

/**
 * One chunk of a {@code mapReduce}, evaluated in a daemon: applies the map function to each element of the chunk in
 * order and combines the results with the reduce function, starting from the identity, so that only the chunk's
 * partial result travels back. A named class (not a lambda of the host's), so a daemon needs only the api classes and
 * the user's own. Immutable.
 *
 * @param <T> the element type
 * @param <R> the result type
 */
public final class ChunkReduce<T, R> implements Task<R> {
    private static final long serialVersionUID = 1L;

    private final MapFunction<? super T, ? extends R> function;
    private final ReduceFunction<R> op;
    private final R identity;
    private final List<T> items;

    /**
     * @param function applied to each element
     * @param identity where the combination starts
     * @param op combines the accumulated value with the next result
     * @param items the chunk's elements, in input order
     */
    public ChunkReduce(MapFunction<? super T, ? extends R> function, R identity, ReduceFunction<R> op, List<T> items) {
        this.function = Objects.requireNonNull(function, "function");
        this.op = Objects.requireNonNull(op, "op");
        this.identity = identity;
        this.items = Objects.requireNonNull(items, "items");
    }

    @Override
    public R call() throws Exception {
        R acc = identity;
        for (T item : items) {
            acc = op.apply(acc, function.apply(item));
        }
        return acc;
    }
}
