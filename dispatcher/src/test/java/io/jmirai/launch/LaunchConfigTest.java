package io.jmirai.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands, scripts and manifests each launch configuration produces, checked as text (nothing is run). */
class LaunchConfigTest {
    private static final String SECRET = "s3cr3t-Zm9vYmFy";
    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    private static LaunchContext context(String url) {
        AtomicInteger next = new AtomicInteger(1);
        return new LaunchContext(
                ListenUrl.parse(url),
                SECRET,
                null,
                DaemonOptions.defaults().idleTime(Duration.ofSeconds(30)),
                n -> {
                    List<Integer> slots = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        slots.add(next.getAndIncrement());
                    }
                    return slots;
                },
                slot -> new CompletableFuture<>(),
                p -> {});
    }

    @Test
    void shouldBuildAnSshCommandWithPortUserTimeoutAndTheSecretOnStdin() {
        LaunchConfig.Ssh config = LaunchConfig.ssh("node1", "me@node2")
                .port(2222)
                .user("alice")
                .connectTimeout(Duration.ofSeconds(7))
                .java("/opt/jdk/bin/java")
                .jar("/opt/jmirai/jmirai-daemon.jar")
                .jvmArgs("-Xmx1g");
        List<LaunchCommand> commands = SshLauncher.commands(config, context("tcp://10.1.2.3:5555"), 1);

        assertThat(commands).hasSize(2);
        assertThat(commands.get(0).target()).isEqualTo("node1");
        assertThat(commands.get(0).slots()).containsExactly(1);
        assertThat(commands.get(1).slots()).containsExactly(2);
        assertThat(commands.get(0).command())
                .containsExactly(
                        "ssh",
                        "-T",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ConnectTimeout=7",
                        "-p",
                        "2222",
                        "-l",
                        "alice",
                        "node1",
                        "/opt/jdk/bin/java -Xmx1g -jar /opt/jmirai/jmirai-daemon.jar tcp://10.1.2.3:5555 --slot=1"
                                + " --secret-stdin --autoexit=now --idletime=30000ms");
        assertThat(commands.get(1).command()).contains("me@node2");
        commands.forEach(c -> assertThat(c.shell()).doesNotContain(SECRET));
        assertThat(commands.get(0).secretLine()).isNull();
    }

    @Test
    void shouldStartSeveralDaemonsOverOneConnectionWithOneSecretLine() {
        List<LaunchCommand> commands =
                SshLauncher.commands(LaunchConfig.ssh("node1"), context("tcp://10.1.2.3:5555"), 3);
        assertThat(commands).hasSize(1);
        assertThat(commands.get(0).slots()).containsExactly(1, 2, 3);
        String remote = commands.get(0).command().get(commands.get(0).command().size() - 1);
        assertThat(remote)
                .startsWith("sh -c 'IFS= read -r s || exit 64;")
                .contains("--slot=1", "--slot=2", "--slot=3")
                .endsWith(" wait'")
                .doesNotContain(SECRET);
    }

    @Test
    void shouldAddAReverseTunnelOnlyForAHostOnLoopback() {
        LaunchCommand c = SshLauncher.commands(
                        LaunchConfig.ssh("ssh://node1:2200").tunnel(), context("tcp://127.0.0.1:5555"), 1)
                .get(0);
        assertThat(c.shell())
                .contains("-o ExitOnForwardFailure=yes -R 5555:127.0.0.1:5555 ssh://node1:2200")
                .contains("tcp://127.0.0.1:5555");

        assertThatThrownBy(() ->
                        SshLauncher.commands(LaunchConfig.ssh("node1").tunnel(true), context("tcp://10.0.0.1:5555"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an ssh tunnel needs the host's url on 127.0.0.1: url=tcp://10.0.0.1:5555");
        assertThatThrownBy(() -> SshLauncher.commands(
                        LaunchConfig.ssh("node1").tunnel(true).url("tcp://[::1]:5555"),
                        context("tcp://127.0.0.1:5555"),
                        1))
                .hasMessageContaining("needs the host's url on 127.0.0.1");
    }

    @Test
    void shouldRejectBadSshInput() {
        assertThatThrownBy(LaunchConfig::ssh).hasMessageContaining("at least one remote");
        assertThatThrownBy(() -> LaunchConfig.ssh("-oProxyCommand=touch /tmp/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remote : '-oProxyCommand=touch /tmp/x'");
        assertThatThrownBy(() -> LaunchConfig.ssh("a b")).hasMessageContaining("remote : 'a b'");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").port(0)).hasMessageContaining("port : 0 (expected: 1 to 65535)");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").user("-l")).hasMessageContaining("user : '-l'");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").connectTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("connectTimeout : PT0.01S (expected: >= 1 s)");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").url("nope")).hasMessageContaining("malformed url");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").timeout(Duration.ZERO)).hasMessageContaining("timeout : PT0S");
        assertThatThrownBy(() -> LaunchConfig.ssh("n").jar(" "))
                .hasMessageContaining("jar : ' ' (expected: not blank)");
    }

    @Test
    void shouldGiveManualCommandsReadyToPasteWithTheSecretOnItsOwnLine() {
        List<LaunchCommand> commands = ManualLauncher.commands(
                LaunchConfig.manual().jar("/home/me/jmirai daemon.jar"), context("tcp://0.0.0.0:5555"), 2);
        assertThat(commands).hasSize(2);
        LaunchCommand c = commands.get(0);
        assertThat(c.target()).isEqualTo("manual");
        assertThat(c.secretLine())
                .as("the daemon's own key, not the session secret")
                .isEqualTo(DaemonKeys.derive(SECRET, 1, ""));
        assertThat(c.shell())
                .startsWith("java -jar '/home/me/jmirai daemon.jar' tcp://")
                .doesNotContain("0.0.0.0")
                .contains(":5555 --slot=1 --secret-stdin --autoexit=now")
                .doesNotContain(SECRET);
        assertThat(c.toString()).contains("secretLine=(hidden)").doesNotContain(SECRET);
        assertThat(commands.get(1).shell()).contains("--slot=2");
    }

    @Test
    void shouldExplainWhatAManualDaemonsClasspathMustHold() {
        LaunchCommand without = ManualLauncher.commands(LaunchConfig.manual(), context("tcp://10.0.0.1:5555"), 1)
                .get(0);
        assertThat(without.instructions())
                .startsWith("# On the daemon's machine (Java 17 or later), with io.jmirai:jmirai-daemon:"
                        + DaemonJar.version() + ":jar:all at jmirai-daemon.jar:\n" + without.shell() + "\n")
                .contains("then paste the secret line")
                .contains("No --classpath: the daemon fetches the classes it lacks from the host")
                .contains("jmirai-dispatcher-" + DaemonJar.version() + ".jar")
                .contains("a lambda's enclosing class too")
                .doesNotContain(SECRET);
        LaunchCommand with = ManualLauncher.commands(
                        LaunchConfig.manual()
                                .jar("/opt/jmirai-daemon-all.jar")
                                .daemonOptions(DaemonOptions.defaults().classpath("/opt/app.jar")),
                        context("tcp://10.0.0.1:5555"),
                        1)
                .get(0);
        assertThat(with.instructions())
                .contains(" at /opt/jmirai-daemon-all.jar:")
                .contains("--classpath=/opt/app.jar")
                .doesNotContain("No --classpath")
                .contains("--classpath must hold the classes that define your tasks");
        LaunchCommand optedOut = ManualLauncher.commands(
                        LaunchConfig.manual()
                                .daemonOptions(DaemonOptions.defaults().classLoading(false)),
                        context("tcp://10.0.0.1:5555"),
                        1)
                .get(0);
        assertThat(optedOut.command()).contains("--no-class-loading");
        assertThat(optedOut.instructions())
                .contains("No --classpath: the daemon sees only the JDK and its own jar")
                .doesNotContain("fetches the classes");
    }

    @Test
    void shouldCarryTheCertificateInlineForManualAndSshAndAsAPathWhenGiven() {
        LaunchContext tls = context("tls+tcp://10.0.0.1:5555");
        String manual = ManualLauncher.commands(LaunchConfig.manual().certPem(PEM), tls, 1)
                .get(0)
                .shell();
        assertThat(manual)
                .contains(
                        " '--cert-pem=-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n' --secret-stdin ");
        String ssh = SshLauncher.commands(LaunchConfig.ssh("n").certPem(PEM), tls, 1)
                .get(0)
                .shell();
        assertThat(ssh).contains("--cert-pem=").contains("MIIBfake");
        String path = ManualLauncher.commands(LaunchConfig.manual().certPemFile("/etc/jmirai/host.pem"), tls, 1)
                .get(0)
                .shell();
        assertThat(path).contains(" --cert-pem-file=/etc/jmirai/host.pem ").doesNotContain("BEGIN");
        String plain = ManualLauncher.commands(LaunchConfig.manual().certPem(PEM), context("tcp://10.0.0.1:5555"), 1)
                .get(0)
                .shell();
        assertThat(plain).as("no certificate for a plain tcp url").doesNotContain("cert-pem");
    }

    @Test
    void shouldWriteSlurmPbsAndLsfJobScripts() {
        List<String> argv = List.of("java", "-jar", "jmirai-daemon.jar", "tcp://h:1", "--secret-file=/x/secret");
        String sbatch = ClusterLauncher.script(
                LaunchConfig.cluster("sbatch", "--mem=2G\n\n#SBATCH --time=10\n  --partition=debug"), dir, argv);
        assertThat(sbatch)
                .isEqualTo("#!/bin/sh\n"
                        + "#SBATCH --job-name=jmirai\n"
                        + "#SBATCH --output=" + dir.resolve("job-%j.out") + "\n"
                        + "#SBATCH --mem=2G\n"
                        + "#SBATCH --time=10\n"
                        + "#SBATCH --partition=debug\n"
                        + "exec java -jar jmirai-daemon.jar tcp://h:1 --secret-file=/x/secret\n");
        String qsub = ClusterLauncher.script(LaunchConfig.cluster("/usr/bin/qsub", "-l walltime=1:00:00"), dir, argv);
        assertThat(qsub).contains("#PBS -N jmirai\n", "#PBS -j oe -o " + dir + "/\n", "#PBS -l walltime=1:00:00\n");
        String bsub = ClusterLauncher.script(LaunchConfig.cluster("bsub", "-n 1"), dir, argv);
        assertThat(bsub).contains("#BSUB -J jmirai\n", "#BSUB -o " + dir.resolve("job-%J.out") + "\n", "#BSUB -n 1\n");
        assertThatThrownBy(() -> LaunchConfig.cluster("condor_submit", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster command : 'condor_submit' (expected: sbatch, qsub or bsub)");
    }

    @Test
    void shouldExpandOrQuoteTheDaemonPlaceholderInACommandTemplate() {
        LaunchContext ctx = context("tcp://10.0.0.1:5555");
        LaunchCommand srun = CommandLauncher.commands(
                        LaunchConfig.remote("srun", "-n1", "--immediate=30", LaunchConfig.DAEMON), ctx, 1)
                .get(0);
        assertThat(srun.command())
                .containsExactly(
                        "srun",
                        "-n1",
                        "--immediate=30",
                        "java",
                        "-jar",
                        "jmirai-daemon.jar",
                        "tcp://10.0.0.1:5555",
                        "--slot=1",
                        "--secret-stdin",
                        "--autoexit=now",
                        "--idletime=30000ms");
        LaunchCommand quoted = CommandLauncher.commands(
                        LaunchConfig.remote("bash", "-lc", LaunchConfig.DAEMON)
                                .quote(true)
                                .jar("/opt/my jars/jmirai-daemon.jar"),
                        ctx,
                        1)
                .get(0);
        assertThat(quoted.command()).hasSize(3);
        assertThat(quoted.command().get(2))
                .isEqualTo("java -jar '/opt/my jars/jmirai-daemon.jar' tcp://10.0.0.1:5555 --slot=2 --secret-stdin"
                        + " --autoexit=now --idletime=30000ms");
        assertThatThrownBy(() -> LaunchConfig.remote("srun", "-n1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no {daemon} placeholder");
    }

    @Test
    void shouldTemplateDockerRun() {
        LaunchCommand docker = CommandLauncher.commands(
                        LaunchConfig.docker("eclipse-temurin:17-jre").jar("/app/jmirai-daemon.jar"),
                        context("tcp://127.0.0.1:5555"),
                        1)
                .get(0);
        assertThat(docker.shell())
                .isEqualTo("docker run -i --rm --network=host eclipse-temurin:17-jre java -jar /app/jmirai-daemon.jar"
                        + " tcp://127.0.0.1:5555 --slot=1 --secret-stdin --autoexit=now --idletime=30000ms");
    }

    @Test
    void shouldWriteAKubernetesJobManifestWithTheSecretMounted() {
        LaunchConfig.Kubernetes config = LaunchConfig.kubernetes("registry.example/jmirai:1")
                .namespace("batch")
                .jar("/app/jmirai-daemon.jar")
                .url("tcp://host.example:5555");
        List<LaunchCommand> commands = KubernetesLauncher.commands(config, context("tcp://0.0.0.0:5555"), 2, dir);
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0).shell())
                .matches("kubectl --namespace=batch create secret generic jmirai-[a-z0-9]+ --from-file=secret="
                        + dir.resolve("secret"));
        assertThat(commands.get(1).shell()).isEqualTo("kubectl --namespace=batch apply -f " + dir.resolve("jobs.yaml"));
        String yaml = commands.get(1).script();
        String name = commands.get(0).command().get(5);
        assertThat(yaml)
                .contains("kind: Job\n", "  name: " + name + "-1\n", "  name: " + name + "-2\n")
                .contains("          image: \"registry.example/jmirai:1\"\n")
                .contains("          command: [\"java\", \"-jar\", \"/app/jmirai-daemon.jar\","
                        + " \"tcp://host.example:5555\", \"--slot=1\", \"--secret-file=/var/run/jmirai/secret\","
                        + " \"--autoexit=now\", \"--idletime=30000ms\"]\n")
                .contains("            secretName: " + name + "\n", "            defaultMode: 0400\n")
                .contains("      restartPolicy: Never\n")
                .doesNotContain(SECRET);
        assertThat(yaml.split("\n---\n|^---\n")).hasSizeGreaterThanOrEqualTo(2);
        assertThatThrownBy(() -> config.namespace("Bad_NS")).hasMessageContaining("namespace : 'Bad_NS'");
    }

    @Test
    void shouldQuoteForAPosixShell() {
        assertThat(Shell.quote("plain-arg_1.jar")).isEqualTo("plain-arg_1.jar");
        assertThat(Shell.quote("")).isEqualTo("''");
        assertThat(Shell.quote("it's $HOME")).isEqualTo("'it'\\''s $HOME'");
        assertThat(Shell.join(List.of("a", "b c"))).isEqualTo("a 'b c'");
    }

    @Test
    void shouldNotShowTheSecretInTheContext() {
        assertThat(context("tcp://127.0.0.1:1").toString())
                .doesNotContain(SECRET)
                .contains("secret=(hidden)");
    }
}
