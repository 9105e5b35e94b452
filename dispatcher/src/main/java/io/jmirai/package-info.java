/**
 * The public API: {@link io.jmirai.Daemons} (a dispatcher in this JVM and its daemons; {@code AutoCloseable}),
 * {@link io.jmirai.Mirai} (the future of one task), {@link io.jmirai.MiraiMap} (a map over many), their options
 * ({@link io.jmirai.MiraiOptions}, {@link io.jmirai.MapOptions}, {@link io.jmirai.DaemonOptions}), the error values
 * tasks resolve to ({@link io.jmirai.ErrorValue} and its kinds) and {@link io.jmirai.Status}.
 *
 * <pre>{@code
 * try (Daemons daemons = Daemons.local(2)) {
 *     Mirai<Double> m = daemons.mirai(() -> Math.sqrt(2));
 *     double v = m.get(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
package io.jmirai;
