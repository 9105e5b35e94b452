package io.jmirai;

import java.time.Instant;

/**
 * One job as {@link Daemons#jobs()} lists it. Immutable.
 *
 * @param id the job's id
 * @param created when it was stored
 * @param total its tasks
 * @param done results stored that are values
 * @param failed results stored that are errors
 * @param state {@code RUNNING} or {@code COMPLETE} ({@code SUBMITTING} while a submission is being stored)
 */
public record JobSummary(String id, Instant created, int total, int done, int failed, String state) {}
