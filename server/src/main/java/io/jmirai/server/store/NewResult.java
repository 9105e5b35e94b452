package io.jmirai.server.store;

/**
 * One small result of a batch written in one transaction ({@link JobStore#storeResults}).
 *
 * @param jobId the job
 * @param index the task's position in the job
 * @param status value or error
 * @param value the result's bytes (not copied: do not change them until the call returns)
 */
public record NewResult(String jobId, int index, ResultStatus status, byte[] value) {}
