package io.jmirai.api;

/** A daemon process's exit codes. */
public final class ExitCode {
    /** The connection to the host ended (the host closed, or went away with autoexit on). */
    public static final int CONNECTION_ENDED = 0;
    /** The idle time limit was reached. */
    public static final int IDLE_TIME = 1;
    /** The wall time limit was reached. */
    public static final int WALL_TIME = 2;
    /** The task limit was reached. */
    public static final int MAX_TASKS = 3;
    /** Bad command-line arguments, or no secret (sysexits EX_USAGE). */
    public static final int USAGE = 64;
    /** The daemon failed in an unexpected way (sysexits EX_SOFTWARE). */
    public static final int INTERNAL_ERROR = 70;
    /** The host could not be reached (sysexits EX_UNAVAILABLE). */
    public static final int UNREACHABLE = 69;
    /** The handshake failed: wrong secret, or a host that could not prove the secret (sysexits EX_NOPERM). */
    public static final int AUTHENTICATION_FAILED = 77;

    private ExitCode() {}
}
