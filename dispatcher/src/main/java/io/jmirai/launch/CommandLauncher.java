package io.jmirai.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts daemons through a command template ({@link LaunchConfig#remote}): {@code srun -n1 {daemon}}, {@code docker
 * run -i IMAGE {daemon}}, … One command per daemon, held by the host while the daemon runs; the secret goes to the
 * command's standard input, which such commands forward to the daemon.
 */
final class CommandLauncher {
    private CommandLauncher() {}

    static List<LaunchCommand> commands(LaunchConfig.Remote config, LaunchContext context, int n) {
        DaemonCommand daemon = DaemonCommand.of(config, context);
        List<LaunchCommand> commands = new ArrayList<>(n);
        for (int slot : context.reserveSlots().apply(n)) {
            List<String> daemonArgv = daemon.argv(slot, DaemonCommand.SECRET_STDIN, null);
            List<String> argv = new ArrayList<>();
            argv.add(config.command);
            for (String a : config.args) {
                if (!LaunchConfig.DAEMON.equals(a)) {
                    argv.add(a);
                } else if (config.quote) {
                    argv.add(Shell.join(daemonArgv));
                } else {
                    argv.addAll(daemonArgv);
                }
            }
            commands.add(new LaunchCommand(config.command, List.of(slot), argv, null, null, "", null));
        }
        return commands;
    }

    static List<LaunchCommand> launch(LaunchConfig.Remote config, LaunchContext context, int n) {
        List<LaunchCommand> commands = commands(config, context, n);
        Launchers.holdAll(commands, config, context);
        return commands;
    }
}
