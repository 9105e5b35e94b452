/**
 * Serialization: the pooled Kryo codec for task and result payloads (lambdas included), and the fixed binary form of
 * a task's error ({@link io.jmirai.transport.serial.RemoteError}) that the host can read whatever classes it has.
 */
package io.jmirai.transport.serial;
