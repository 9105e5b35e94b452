package io.jmirai.api;

/** What a daemon does when its connection to the host ends. */
public enum AutoExit {
    /** Exit at once, abandoning any running task (the default). */
    NOW,
    /** Let the running task finish, then exit. */
    AFTER_TASK,
    /** Never exit: dial the host again until it answers. */
    NEVER
}
