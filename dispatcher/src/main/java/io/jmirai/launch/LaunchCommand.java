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

    /**
     * What to do with this command, as comment lines around it for a person to read: where it runs, which artifact
     * the daemon jar is, and what the daemon's {@code --classpath} must hold. For manual commands, says to paste
     * {@link #secretLine()} next (it is not included).
     *
     * <pre>
     * # On the daemon's machine (Java 17 or later), with io.jmirai:jmirai-daemon:0.1.0:jar:all at jmirai-daemon.jar:
     * java -jar jmirai-daemon.jar tcp://10.0.0.1:5555 --slot=1 --secret-stdin --classpath=/opt/app/app.jar
     * # then paste the secret line (secretLine()); the daemon reads it from standard input.
     * # --classpath must hold the classes that define your tasks (a lambda's enclosing class too) and every jar they
     * # use. The daemon jar already has io.jmirai.api (Task, MapFunction, DaemonContext); add
     * # jmirai-dispatcher-0.1.0.jar if a task's code refers to any other jmirai class (MiraiException, Mirai, ...).
     * </pre>
     *
     * @return the command between explanatory comment lines, never the secret
     */
    public String instructions() {
        String version = DaemonJar.version();
        int jarAt = command.indexOf("-jar");
        String jar = jarAt >= 0 && jarAt + 1 < command.size() ? command.get(jarAt + 1) : LaunchConfig.DEFAULT_JAR;
        boolean hasClasspath = command.stream().anyMatch(a -> a.startsWith("--classpath"))
                || (script != null && script.contains("--classpath"));
        StringBuilder sb = new StringBuilder();
        sb.append(secretLine != null ? "# On the daemon's machine" : "# Runs on " + target)
                .append(" (Java 17 or later), with ")
                .append(DaemonJar.coordinates())
                .append(" at ")
                .append(jar)
                .append(":\n")
                .append(shell())
                .append('\n');
        if (secretLine != null) {
            sb.append("# then paste the secret line (secretLine()); the daemon reads it from standard input.\n");
        }
        boolean classLoading =
                !command.contains("--no-class-loading") && (script == null || !script.contains("--no-class-loading"));
        if (!hasClasspath && classLoading) {
            sb.append(
                            "# No --classpath: the daemon fetches the classes it lacks from the host (remote class loading,\n")
                    .append("# unless the host has shipClasses(false)); a --classpath saves those round trips.\n");
        } else if (!hasClasspath) {
            sb.append(
                            "# No --classpath: the daemon sees only the JDK and its own jar, not the class that defines your\n")
                    .append(
                            "# task; give one with DaemonOptions.classpath(...), unless the daemon jar is all it needs.\n");
        }
        sb.append(
                        "# --classpath must hold the classes that define your tasks (a lambda's enclosing class too) and every\n")
                .append(
                        "# jar they use. The daemon jar already has io.jmirai.api (Task, MapFunction, DaemonContext); add\n")
                .append("# jmirai-dispatcher-")
                .append(version)
                .append(".jar if a task's code refers to any other jmirai class (MiraiException, Mirai, ...).");
        return sb.toString();
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
