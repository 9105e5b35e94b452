package io.jmirai.server.store;

/**
 * A task of a job that has no stored result yet, with its payload, so a restarted server can send it again.
 *
 * @param index the task's position in the job (item order), from 0
 * @param payload the opaque task bytes as submitted
 */
public record PendingTask(int index, byte[] payload) {}
