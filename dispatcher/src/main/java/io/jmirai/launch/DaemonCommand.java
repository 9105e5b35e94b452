package io.jmirai.launch;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's command line on the machine that runs it: {@code java [jvmArgs] -jar JAR URL --slot=N [--cert-pem…]
 * SECRET-OPTION [daemon options]}. Never contains the secret itself, only where to read it from.
 */
final class DaemonCommand {
    /** The daemon reads the secret from the first line of its standard input. */
    static final String SECRET_STDIN = "--secret-stdin";

    private final LaunchConfig.Common common;
    private final ListenUrl url;
    private final String certPem;
    private final DaemonOptions options;

    private DaemonCommand(LaunchConfig.Common common, ListenUrl url, String certPem, DaemonOptions options) {
        this.common = common;
        this.url = url;
        this.certPem = certPem;
        this.options = options;
    }

    /** The command for {@code config}'s daemons of the host in {@code context}. */
    static DaemonCommand of(LaunchConfig<?> config, LaunchContext context) {
        LaunchConfig.Common c = config.common;
        ListenUrl url = c.url() != null ? ListenUrl.parse(c.url()) : reachable(context.url());
        String pem = c.certPem() != null ? c.certPem() : context.certPem();
        return new DaemonCommand(c, url, pem, c.options() != null ? c.options() : context.options());
    }

    /** A wildcard listen address is no place to dial: other machines dial this machine's name instead. */
    static ListenUrl reachable(ListenUrl url) {
        return switch (url.host()) {
            case "0.0.0.0", "::", "0:0:0:0:0:0:0:0" -> {
                String name;
                try {
                    name = InetAddress.getLocalHost().getCanonicalHostName();
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(
                            "the host listens on a wildcard address and this machine's name is unknown: url=" + url
                                    + " (set the URL daemons dial with LaunchConfig.url)",
                            e);
                }
                yield new ListenUrl(url.scheme(), name, url.port(), url.path());
            }
            default -> url;
        };
    }

    /** @return the URL the daemons dial */
    ListenUrl url() {
        return url;
    }

    /** @return the certificate PEM the daemons pin, if the URL is TLS and one is known (else null) */
    String certPem() {
        return url.scheme().isTls() && common.certPemFile() == null ? certPem : null;
    }

    /**
     * @param slot the daemon's slot
     * @param secretOption {@value #SECRET_STDIN} or {@code --secret-file=PATH}
     * @param certPemFile where the daemon finds the certificate PEM (a file the launch wrote), or null to pass it
     *     inline (or to use {@link LaunchConfig#certPemFile}'s path)
     * @return the argument vector
     */
    List<String> argv(int slot, String secretOption, String certPemFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(common.java());
        cmd.addAll(common.jvmArgs());
        cmd.add("-jar");
        cmd.add(common.jar());
        cmd.add(url.toString());
        cmd.add("--slot=" + slot);
        if (url.scheme().isTls()) {
            if (common.certPemFile() != null) {
                cmd.add("--cert-pem-file=" + common.certPemFile());
            } else if (certPemFile != null) {
                cmd.add("--cert-pem-file=" + certPemFile);
            } else if (certPem != null) {
                cmd.add("--cert-pem=" + certPem);
            }
        }
        cmd.add(secretOption);
        cmd.addAll(options.toArgs());
        return cmd;
    }
}
