package io.jmirai.server.store;

import java.time.Instant;

/**
 * One job as the store knows it: what a job listing shows. A snapshot; it does not change when the job does.
 *
 * @param id the job's id (chosen by the user or generated)
 * @param created when the job was created
 * @param total how many tasks the job has
 * @param done tasks whose result is a value
 * @param failed tasks whose result is an error
 * @param state where the job is in its life
 */
public record JobInfo(String id, Instant created, int total, int done, int failed, JobState state) {
    /** Tasks with no stored result yet: {@code total - done - failed}. */
    public int unresolved() {
        return total - done - failed;
    }
}
