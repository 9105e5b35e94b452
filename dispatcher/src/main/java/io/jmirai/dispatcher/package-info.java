/**
 * Internal: the dispatcher behind {@link io.jmirai.Daemons}. It runs on one Netty event loop that owns the listener
 * and every daemon connection, keeps the FIFO task queue and the per-slot counters, and moves task payloads to
 * daemons without copying or decoding them. Not an API: it may change in any release.
 */
package io.jmirai.dispatcher;
