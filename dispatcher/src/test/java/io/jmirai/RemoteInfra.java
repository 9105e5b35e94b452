package io.jmirai;

import static org.junit.jupiter.api.Assertions.fail;

import io.jmirai.launch.LaunchConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real SSH servers and Slurm cluster the launcher tests use, started by {@code scripts/sshd.sh} and {@code
 * scripts/slurm-cluster.sh} (as {@code .ci/run} does). Without them the tests are skipped, except under {@code CI=true},
 * where a missing server fails them.
 */
final class RemoteInfra {
    static final String SSH_ENV = "JMIRAI_SSH_TEST_DIR";
    static final String SLURM_ENV = "JMIRAI_SLURM_CONF";

    private RemoteInfra() {}

    /** @return the directory {@code scripts/sshd.sh start} made, or skips (fails under CI) */
    static Path sshDir() {
        String dir = System.getenv(SSH_ENV);
        require(dir != null && Files.isRegularFile(Path.of(dir, "port")), SSH_ENV, "scripts/sshd.sh start");
        return Path.of(dir);
    }

    /** @return the address of the second SSH host, in its own network namespace, or skips (fails under CI) */
    static String namespaceHost(Path sshDir) throws IOException {
        Path file = sshDir.resolve("netns_host");
        require(Files.isRegularFile(file), SSH_ENV + "/netns_host", "scripts/sshd.sh start (as root, with ip netns)");
        return Files.readString(file).strip();
    }

    /** @return the loopback sshd's port */
    static int sshPort(Path sshDir) throws IOException {
        return Integer.parseInt(Files.readString(sshDir.resolve("port")).strip());
    }

    /** @return the slurm.conf of {@code scripts/slurm-cluster.sh start}, or skips (fails under CI) */
    static String slurmConf() {
        String conf = System.getenv(SLURM_ENV);
        require(conf != null && Files.isRegularFile(Path.of(conf)), SLURM_ENV, "scripts/slurm-cluster.sh start");
        return conf;
    }

    /**
     * Waits (at most 60 s) until the single node takes jobs: a job the previous test cancelled leaves it
     * {@code completing} for a moment, which is normal; a drained or down node (which makes {@code srun} wait for
     * ever) fails the test with the node's state.
     */
    static void awaitSlurmNodeReady(String slurmConf) throws IOException, InterruptedException {
        List<String> ready = List.of("idle", "mixed", "allocated");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state = "";
        for (int i = 0; i < 600 && System.nanoTime() < deadline; i++) {
            state = run(List.of("sinfo", "-h", "-N", "-o", "%T"), slurmConf).strip();
            if (ready.contains(state)) {
                return;
            }
            Thread.sleep(100); // polling an external process's state: there is nothing to wait on
        }
        fail("the Slurm node did not become ready within 60 s: state=" + state + " (expected one of " + ready + ")");
    }

    private static void require(boolean present, String what, String how) {
        if (present) {
            return;
        }
        String message = what + " is not set up: run " + how + " and export what it prints";
        if ("true".equals(System.getenv("CI"))) {
            fail("CI must run the launcher tests against real servers: " + message);
        }
        Assumptions.abort(message);
    }

    /** The JVM, jar and classpath a daemon on "another machine" uses: the file system is shared. */
    static <C extends LaunchConfig<C>> C daemonOn(C config) {
        return config.java(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .jar(StandaloneDaemonTest.DAEMON_JAR
                        .toAbsolutePath()
                        .normalize()
                        .toString());
    }

    /** @return daemon options with a classpath holding the tests' task classes */
    static DaemonOptions taskClasspath() {
        return DaemonOptions.defaults()
                .classpath(Path.of("target", "test-classes").toAbsolutePath()
                        + File.pathSeparator
                        + Path.of("target", "classes").toAbsolutePath());
    }

    /** Runs a short command (bounded), returning its output; fails the test if it fails. */
    static String run(List<String> command, String slurmConf) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (slurmConf != null) {
            pb.environment().put("SLURM_CONF", slurmConf);
        }
        Process p = pb.start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail("command did not finish in 30 s: " + command);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail("command failed: " + command + ", exitCode=" + p.exitValue() + ", output:\n" + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
