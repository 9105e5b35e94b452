package io.jmirai.api.internal;

import io.jmirai.api.MapFunction;
import io.jmirai.api.Task;
import java.util.Objects;

/**
 * One element of a map: the map's function, the element and the extra arguments, evaluated in the daemon. A named
 * class (not a lambda of the host's), so a daemon needs only the transport classes and the user's own. Immutable.
 *
 * @param <R> the result type
 */
public final class MapCall<R> implements Task<R> {
    private static final long serialVersionUID = 1L;
    private static final Object[] NO_ARGS = {};

    /** The map's function: a {@code MapFunction}, or a {@code MapFunction.WithArgs} when {@link #args} is set. */
    private final Object function;

    /** The element this call applies the function to. */
    private final Object item;

    /** The extra arguments, or null for a plain {@code MapFunction}. */
    private final Object[] args;

    private MapCall(Object function, Object item, Object[] args) {
        this.function = Objects.requireNonNull(function, "function");
        this.item = item;
        this.args = args;
    }

    /** @return a call of {@code function} on {@code item} */
    public static <T, R> MapCall<R> of(MapFunction<? super T, ? extends R> function, T item) {
        return new MapCall<>(function, item, null);
    }

    /** @return a call of {@code function} on {@code item} with {@code args} */
    public static <T, R> MapCall<R> of(MapFunction.WithArgs<? super T, ? extends R> function, T item, Object[] args) {
        return new MapCall<>(function, item, args == null ? NO_ARGS : args);
    }

    @Override
    @SuppressWarnings("unchecked")
    public R call() throws Exception {
        if (args == null) {
            return ((MapFunction<Object, R>) function).apply(item);
        }
        return ((MapFunction.WithArgs<Object, R>) function).apply(item, args.clone());
    }
}
