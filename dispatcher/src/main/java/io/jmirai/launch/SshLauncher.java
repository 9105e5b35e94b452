package io.jmirai.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts daemons over SSH: one {@code ssh} per remote, held by the host while its daemons run, so a reverse tunnel
 * ({@code -R port:127.0.0.1:port}) lives as long as they do. The remote command is the daemon's command (or, for
 * several daemons, a small {@code sh} script that starts them all and waits); the secret goes over ssh's standard
 * input, never on a command line.
 */
final class SshLauncher {
    private SshLauncher() {}

    static List<LaunchCommand> commands(LaunchConfig.Ssh config, LaunchContext context, int n) {
        DaemonCommand daemon = DaemonCommand.of(config, context);
        if (config.tunnel && !"127.0.0.1".equals(daemon.url().host())) {
            throw new IllegalArgumentException("an ssh tunnel needs the host's url on 127.0.0.1: url=" + daemon.url()
                    + " (listen on tcp://127.0.0.1:PORT, or drop the tunnel)");
        }
        List<LaunchCommand> commands = new ArrayList<>();
        for (String remote : config.remotes) {
            List<Integer> slots = context.reserveSlots().apply(n);
            List<String> argv = new ArrayList<>();
            argv.add("ssh");
            argv.add("-T");
            argv.add("-o");
            argv.add("BatchMode=yes");
            argv.add("-o");
            argv.add("ConnectTimeout=" + config.connectTimeout.toSeconds());
            if (config.port != 0) {
                argv.add("-p");
                argv.add(String.valueOf(config.port));
            }
            if (config.user != null) {
                argv.add("-l");
                argv.add(config.user);
            }
            if (config.tunnel) {
                int port = daemon.url().port();
                argv.add("-o");
                argv.add("ExitOnForwardFailure=yes");
                argv.add("-R");
                argv.add(port + ":127.0.0.1:" + port);
            }
            argv.addAll(config.sshOptions);
            argv.add(remote);
            argv.add(remoteCommand(daemon, slots));
            commands.add(new LaunchCommand(remote, slots, argv, null, null, "", null));
        }
        return commands;
    }

    /** The command line the remote shell runs. */
    static String remoteCommand(DaemonCommand daemon, List<Integer> slots) {
        if (slots.size() == 1) {
            return Shell.join(daemon.argv(slots.get(0), DaemonCommand.SECRET_STDIN, null));
        }
        // One secret line in, one copy to each daemon: printf is a shell builtin, so the secret is in no argv.
        StringBuilder script = new StringBuilder("IFS= read -r s || exit 64;");
        for (int slot : slots) {
            script.append(" printf '%s\\n' \"$s\" | ")
                    .append(Shell.join(daemon.argv(slot, DaemonCommand.SECRET_STDIN, null)))
                    .append(" &");
        }
        script.append(" wait");
        return Shell.join(List.of("sh", "-c", script.toString()));
    }

    static List<LaunchCommand> launch(LaunchConfig.Ssh config, LaunchContext context, int n) {
        List<LaunchCommand> commands = commands(config, context, n);
        Launchers.holdAll(commands, config, context);
        return commands;
    }
}
