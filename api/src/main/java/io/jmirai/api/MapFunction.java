package io.jmirai.api;

import java.io.Serializable;

/**
 * The function of a map: applied in a daemon to one element. A lambda assigned to it is serializable; what it
 * captures travels with it, as for a {@link Task}.
 *
 * <pre>{@code
 * MiraiMap<Integer> squares = daemons.map(List.of(1, 2, 3), x -> x * x);
 * MiraiMap<Double> scaled = daemons.map(List.of(1, 2, 3), (x, args) -> x * (double) args[0], 0.5);
 * }</pre>
 *
 * @param <T> the element type
 * @param <R> the result type
 */
@FunctionalInterface
public interface MapFunction<T, R> extends Serializable {
    /**
     * @param item one element
     * @return its result
     * @throws Exception any exception: that element resolves to a {@code MiraiError}, the others are unaffected
     */
    R apply(T item) throws Exception;

    /**
     * A map function that also receives the map's extra arguments (the same for every element), like the
     * {@code ...} of mirai's {@code mirai_map}.
     *
     * @param <T> the element type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface WithArgs<T, R> extends Serializable {
        /**
         * @param item one element
         * @param args the extra arguments given to {@code map}, in order (an empty array for none)
         * @return its result
         * @throws Exception any exception: that element resolves to a {@code MiraiError}
         */
        R apply(T item, Object[] args) throws Exception;
    }
}
