package io.jmirai.api;

/**
 * A daemon process's exit codes.
 *
 * <p>The daemon's own limits use codes 81 to 84, a range of their own, so that the host can tell a daemon that ended
 * by its limits (not replaced) from one that a task ended with {@code System.exit(1)} or a signal (replaced by
 * {@code fixedPool}). A process killed by signal N exits with 128 + N.
 */
public final class ExitCode {
    /** The connection to the host ended (the host closed, or went away with autoexit on). */
    public static final int CONNECTION_ENDED = 0;
    /** The idle time limit was reached. */
    public static final int IDLE_TIME = 81;
    /** The wall time limit was reached. */
    public static final int WALL_TIME = 82;
    /** The task limit was reached. */
    public static final int MAX_TASKS = 83;
    /**
     * A task ended with an error that may have damaged the JVM (a stack overflow, running out of memory, a class whose
     * initialisation failed): the daemon answered it and exited, so that the host starts a fresh one in its place.
     */
    public static final int RECYCLE = 84;
    /** Bad command-line arguments, or no secret (sysexits EX_USAGE). */
    public static final int USAGE = 64;
    /** The daemon failed in an unexpected way (sysexits EX_SOFTWARE). */
    public static final int INTERNAL_ERROR = 70;
    /** The host could not be reached (sysexits EX_UNAVAILABLE). */
    public static final int UNREACHABLE = 69;
    /** The handshake failed: wrong secret, or a host that could not prove the secret (sysexits EX_NOPERM). */
    public static final int AUTHENTICATION_FAILED = 77;

    private ExitCode() {}

    /** @return whether {@code code} is one of the daemon's own limits (idle time, wall time, task count) */
    public static boolean isLimit(int code) {
        return code == IDLE_TIME || code == WALL_TIME || code == MAX_TASKS;
    }

    /** @return whether {@code code} is the exit value of a process killed by a signal (128 + N) */
    public static boolean killedBySignal(int code) {
        return code > 128 && code < 160;
    }

    /**
     * Says how a daemon process ended, for error messages: {@code "exitCode=137 (killed by signal 9)"}.
     *
     * @param code the process's exit value
     */
    public static String describe(int code) {
        String what = switch (code) {
            case CONNECTION_ENDED -> "connection ended";
            case IDLE_TIME -> "idle time reached";
            case WALL_TIME -> "wall time reached";
            case MAX_TASKS -> "task limit reached";
            case RECYCLE -> "recycled after a task damaged its JVM";
            case USAGE -> "bad arguments";
            case INTERNAL_ERROR -> "internal error";
            case UNREACHABLE -> "host unreachable";
            case AUTHENTICATION_FAILED -> "authentication failed";
            default -> killedBySignal(code) ? "killed by signal " + (code - 128) : "exited by itself";
        };
        return "exitCode=" + code + " (" + what + ")";
    }
}
