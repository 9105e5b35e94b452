package io.jmirai.launch;

import io.jmirai.DaemonStartException;

/**
 * A launch failed: {@code ssh} was refused, {@code sbatch} rejected the job, a daemon exited before connecting or did
 * not connect in time. The message includes the command (never the secret), its exit code and its own output; what
 * the launch had started is stopped (processes killed, jobs cancelled) before this is thrown.
 */
public final class LaunchException extends DaemonStartException {
    private static final long serialVersionUID = 1L;

    private final transient LaunchCommand command;
    private final int exitCode;
    private final String output;

    /**
     * @param message what failed
     * @param command the command that failed
     * @param exitCode its exit code, or -1 if it had not exited
     * @param output its output (stdout and stderr)
     * @param cause the underlying failure, or null
     */
    public LaunchException(String message, LaunchCommand command, int exitCode, String output, Throwable cause) {
        super(
                message + ": target=" + command.target() + ", exitCode=" + exitCode + ", command=" + command.shell()
                        + (output.isBlank() ? ", no output" : ", output:\n" + output.strip()),
                cause);
        this.command = command;
        this.exitCode = exitCode;
        this.output = output;
    }

    /** @return the command that failed (null after deserialization) */
    public LaunchCommand command() {
        return command;
    }

    /** @return its exit code, or -1 if it had not exited */
    public int exitCode() {
        return exitCode;
    }

    /** @return what it printed */
    public String output() {
        return output;
    }
}
