package io.jmirai.server.store;

/**
 * Where a job is in its life. Stored as {@link #code()}: codes are part of the store's format, never renumber.
 *
 * <pre>
 * createJob ──► SUBMITTING ──sealJob──► RUNNING ──last result stored──► COMPLETE
 * submitJob ───────────────────────────►┘
 * </pre>
 */
public enum JobState {
    /** Created, task payloads still being added; its client has not been told it is stored. No results yet. */
    SUBMITTING(0),
    /** Every task payload is stored; results are being stored. */
    RUNNING(1),
    /** Every task has a stored result (a value or an error). */
    COMPLETE(2);

    private final int code;

    JobState(int code) {
        this.code = code;
    }

    /** The stored code. */
    public int code() {
        return code;
    }

    static JobState fromCode(int code) {
        for (JobState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown job state code: " + code);
    }
}
