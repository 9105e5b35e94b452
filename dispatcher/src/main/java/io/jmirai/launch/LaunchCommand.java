package io.jmirai.launch;

import java.util.List;
import java.util.Objects;

/**
 * One command that starts daemons: what a launch ran, or (for manual deployment) what to run by hand.
 *
 * <p>{@link #command()} is the argument vector run on the host's machine ({@code ssh …}, {@code sbatch FILE},
 * {@code srun …}), or, for manual commands, on the daemon's machine; {@link #shell()} is the same as one line ready to
 * paste into a POSIX shell. The session secret is never part of it: manual commands carry it separately in {@link
 * #secretLine()}, to paste as the next line (the daemon reads it from standard input), and {@link #toString()} never
 * shows it. Immutable and thread-safe.
 *
 * @param target where the daemons run: {@code localhost}, the SSH remote, the scheduler, {@code manual}, …
 * @param slots the host's daemon slots this command's daemons take (each daemon's {@code --slot})
 * @param command the argument vector
 * @param script the job script or manifest the command submits, or null
 * @param secretLine for manual commands, the line to paste after the command (the session secret), else null
 * @param output what the command printed when the launch ran it (a scheduler's job id line), or the empty string
 * @param jobId the scheduler's job id, or null
 */
public record LaunchCommand(
        String target,
        List<Integer> slots,
        List<String> command,
        String script,
        String secretLine,
        String output,
        String jobId) {

    /** Checks and copies. */
    public LaunchCommand {
        Objects.requireNonNull(target, "target");
        slots = List.copyOf(slots);
        command = List.copyOf(command);
        Objects.requireNonNull(output, "output");
    }

    /** @return the command as one POSIX shell line, each argument quoted as needed */
    public String shell() {
        return Shell.join(command);
    }

    /** @return a copy recording what running the command printed, and the job id found in it */
    LaunchCommand ran(String printed, String id) {
        return new LaunchCommand(target, slots, command, script, secretLine, printed, id);
    }

    /** @return the target and the shell line; never the secret */
    @Override
    public String toString() {
        return "LaunchCommand{target=" + target + ", slots=" + slots + ", command=" + shell()
                + (secretLine == null ? "" : ", secretLine=(hidden)") + (jobId == null ? "" : ", jobId=" + jobId)
                + "}";
    }
}
