/**
 * JMH benchmarks: jmirai's round trip, throughput, large payloads, every scheme and start-up costs, each measured
 * against a plain Netty echo between two JVMs in the same run. Run with {@code benchmarks/run.sh}; never a dependency
 * of anything.
 */
package io.jmirai.benchmarks;
