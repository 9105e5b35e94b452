package io.jmirai.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Commands to start daemons by hand, like mirai's {@code launch_remote()} with an empty {@code remote_config()}:
 * nothing is run. Each command is the daemon's command line for the machine where it is pasted; the daemon then reads
 * the secret, pasted as the next line ({@link LaunchCommand#secretLine()}), from its standard input. A TLS host's
 * certificate goes inline.
 */
final class ManualLauncher {
    private ManualLauncher() {}

    static List<LaunchCommand> commands(LaunchConfig.Manual config, LaunchContext context, int n) {
        DaemonCommand daemon = DaemonCommand.of(config, context);
        List<LaunchCommand> commands = new ArrayList<>(n);
        for (int slot : context.reserveSlots().apply(n)) {
            commands.add(new LaunchCommand(
                    "manual",
                    List.of(slot),
                    daemon.argv(slot, DaemonCommand.SECRET_STDIN, null),
                    null,
                    context.secretFor(List.of(slot)),
                    "",
                    null));
        }
        return commands;
    }
}
