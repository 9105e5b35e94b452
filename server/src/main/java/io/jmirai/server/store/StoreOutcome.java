package io.jmirai.server.store;

/**
 * What a write of a task's result did. Every outcome means the caller may acknowledge the result to the daemon: the
 * store has it, had it already, or will never want it.
 */
public enum StoreOutcome {
    /** Stored now; durable (as {@link Durability} says) since the call returned. */
    STORED,
    /** The task already had a stored result (a retried task answered twice); the new one was dropped, unread. */
    DUPLICATE,
    /** No such job (it was deleted while its tasks ran); the result was dropped, unread. */
    UNKNOWN_JOB
}
