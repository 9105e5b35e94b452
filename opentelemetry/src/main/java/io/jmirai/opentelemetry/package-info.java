/**
 * OpenTelemetry tracing for jmirai: {@link io.jmirai.opentelemetry.JMiraiTracing#observer} gives the host's spans
 * ({@code jmirai.submit}, {@code jmirai.queue}), and {@link io.jmirai.opentelemetry.DaemonTracing}, found by a daemon
 * with {@link java.util.ServiceLoader}, its {@code jmirai.evaluate} spans, one trace across the process boundary.
 */
package io.jmirai.opentelemetry;
