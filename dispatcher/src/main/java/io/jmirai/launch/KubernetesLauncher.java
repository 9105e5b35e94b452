package io.jmirai.launch;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Starts daemons as Kubernetes Jobs: {@code kubectl create secret generic NAME --from-file=secret=FILE} (the secret
 * from a private file, never a command line), then {@code kubectl apply -f jobs.yaml} with one Job per daemon, whose
 * pod mounts that Secret read-only at {@value #SECRET_DIR} and runs the daemon with {@code --secret-file}. The pods
 * must reach the host's URL (set it with {@link LaunchConfig#url}).
 */
final class KubernetesLauncher {
    static final String SECRET_DIR = "/var/run/jmirai";

    private static final SecureRandom RANDOM = new SecureRandom();

    private KubernetesLauncher() {}

    /** The Jobs' manifest, one YAML document per daemon. */
    static String manifest(LaunchConfig.Kubernetes config, String name, List<Integer> slots, DaemonCommand daemon) {
        StringBuilder b = new StringBuilder();
        for (int slot : slots) {
            List<String> argv = daemon.argv(slot, "--secret-file=" + SECRET_DIR + "/secret", null);
            b.append("---\n");
            b.append("apiVersion: batch/v1\n");
            b.append("kind: Job\n");
            b.append("metadata:\n");
            b.append("  name: ").append(name).append('-').append(slot).append('\n');
            if (config.namespace != null) {
                b.append("  namespace: ").append(config.namespace).append('\n');
            }
            b.append("  labels:\n");
            b.append("    app.kubernetes.io/name: jmirai-daemon\n");
            b.append("    jmirai.io/launch: ").append(name).append('\n');
            b.append("spec:\n");
            b.append("  backoffLimit: 0\n");
            b.append("  ttlSecondsAfterFinished: 300\n");
            b.append("  template:\n");
            b.append("    spec:\n");
            b.append("      restartPolicy: Never\n");
            b.append("      containers:\n");
            b.append("        - name: daemon\n");
            b.append("          image: ").append(json(config.image)).append('\n');
            b.append("          command: [");
            for (int i = 0; i < argv.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(json(argv.get(i)));
            }
            b.append("]\n");
            b.append("          volumeMounts:\n");
            b.append("            - name: jmirai-secret\n");
            b.append("              mountPath: ").append(SECRET_DIR).append('\n');
            b.append("              readOnly: true\n");
            b.append("      volumes:\n");
            b.append("        - name: jmirai-secret\n");
            b.append("          secret:\n");
            b.append("            secretName: ").append(name).append('\n');
            b.append("            defaultMode: 0400\n");
        }
        return b.toString();
    }

    /** The commands: create the Secret, apply the Jobs. */
    static List<LaunchCommand> commands(LaunchConfig.Kubernetes config, LaunchContext context, int n, Path dir) {
        DaemonCommand daemon = DaemonCommand.of(config, context);
        String name = "jmirai-" + Long.toString(RANDOM.nextLong() >>> 1, 36).toLowerCase(Locale.ROOT);
        List<Integer> slots = context.reserveSlots().apply(n);
        Path secret = dir.resolve("secret");
        Path manifest = dir.resolve("jobs.yaml");
        List<String> kubectl = new ArrayList<>(List.of(config.kubectl));
        if (config.namespace != null) {
            kubectl.add("--namespace=" + config.namespace);
        }
        List<String> create = new ArrayList<>(kubectl);
        create.addAll(List.of("create", "secret", "generic", name, "--from-file=secret=" + secret));
        List<String> apply = new ArrayList<>(kubectl);
        apply.addAll(List.of("apply", "-f", manifest.toString()));
        return List.of(
                new LaunchCommand("kubernetes", slots, create, null, null, "", null),
                new LaunchCommand("kubernetes", slots, apply, manifest(config, name, slots, daemon), null, "", null));
    }

    static List<LaunchCommand> launch(LaunchConfig.Kubernetes config, LaunchContext context, int n, Path base) {
        if (n == 0) {
            return List.of();
        }
        Path dir = JobFiles.newLaunchDir(base);
        Path secret = JobFiles.writeSecret(dir, context.secret());
        List<LaunchCommand> commands = commands(config, context, n, dir);
        JobFiles.write(dir.resolve("jobs.yaml"), commands.get(1).script(), "rw-------");
        List<LaunchCommand> ran = new ArrayList<>();
        try {
            for (LaunchCommand c : commands) {
                Processes.Result r = Processes.run(c, config.common.env(), null, config.common.timeout());
                if (r.exitCode() != 0) {
                    throw new LaunchException("kubectl failed", c, r.exitCode(), r.output(), null);
                }
                ran.add(c.ran(r.output().strip(), null));
            }
        } finally {
            // Kubernetes holds the secret now (or nothing was created): the local copy is not needed.
            JobFiles.forget(secret);
        }
        return ran;
    }

    /** A JSON string, which YAML reads as a string. */
    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
