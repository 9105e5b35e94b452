/**
 * What travels inside a TASK payload besides the user's task, and the daemon-side task state: internal to jmirai, on
 * the daemon's classpath because the daemon decodes it.
 */
package io.jmirai.transport.task;
