package io.jmirai.server.store;

import java.util.NoSuchElementException;

/** No job with this id is in the store (never submitted, or deleted). The message names the id. */
public final class UnknownJobException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    private final String jobId;

    public UnknownJobException(String jobId) {
        super("unknown job: id=" + jobId);
        this.jobId = jobId;
    }

    /** The id that was asked for. */
    public String jobId() {
        return jobId;
    }
}
