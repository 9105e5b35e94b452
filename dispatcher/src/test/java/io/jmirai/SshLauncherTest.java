package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LaunchException;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Daemons launched through a real OpenSSH server ({@code scripts/sshd.sh}): one on 127.0.0.1, and one in a network
 * namespace of its own, a second host that cannot reach this one's loopback except through a reverse tunnel.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class SshLauncherTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Path sshDir;
    private int port;

    @BeforeEach
    void requireSshd() throws Exception {
        sshDir = RemoteInfra.sshDir();
        port = RemoteInfra.sshPort(sshDir);
    }

    private LaunchConfig.Ssh ssh(String... remotes) {
        return RemoteInfra.daemonOn(LaunchConfig.ssh(remotes)
                .user("root")
                .sshOptions("-F", sshDir.resolve("ssh_config").toString())
                .daemonOptions(RemoteInfra.taskClasspath())
                .timeout(WAIT));
    }

    @Test
    void shouldRunTasksInDaemonsStartedOverSshAndStopThemWhenTheHostCloses() throws Exception {
        List<Long> pids = new ArrayList<>();
        Daemons daemons = Daemons.builder().start();
        try {
            List<LaunchCommand> commands =
                    daemons.launchRemote(2, ssh("127.0.0.1").port(port));

            assertThat(commands).hasSize(1);
            LaunchCommand c = commands.get(0);
            assertThat(c.command()).startsWith("ssh").contains("-p", String.valueOf(port), "-l", "root", "127.0.0.1");
            assertThat(c.slots()).hasSize(2);
            assertThat(c.shell()).doesNotContain(daemons.secret()).contains("--secret-stdin");
            assertThat(daemons.status().connections()).isEqualTo(2);

            Set<Long> seen = new TreeSet<>();
            for (int i = 0; i < 20 && seen.size() < 2; i++) {
                List<Mirai<Long>> ms = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    ms.add(daemons.mirai(() -> {
                        Thread.sleep(50);
                        return ProcessHandle.current().pid();
                    }));
                }
                for (Mirai<Long> m : ms) {
                    seen.add(m.get(WAIT));
                }
            }
            assertThat(seen).hasSize(2).doesNotContain(ProcessHandle.current().pid());
            pids.addAll(seen);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().command()))
                        .as("the daemon runs under sshd, not as a child of this JVM")
                        .isPresent();
                assertThat(ProcessHandle.current().descendants().anyMatch(h -> h.pid() == pid))
                        .isFalse();
            }
        } finally {
            daemons.close();
        }
        for (long pid : pids) {
            await("daemon pid " + pid + " exits once the host closes")
                    .atMost(WAIT)
                    .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
        await("the ssh process ends with its daemons")
                .atMost(WAIT)
                .until(() -> ProcessHandle.current().children().noneMatch(SshLauncherTest::isSsh));
    }

    @Test
    void shouldReachTheHostFromAnotherMachineThroughAReverseTunnel() throws Exception {
        String other = RemoteInfra.namespaceHost(sshDir);
        try (Daemons daemons = Daemons.builder().url("tcp://127.0.0.1:0").start()) {
            List<LaunchCommand> commands = daemons.launchRemote(1, ssh(other).tunnel(true));
            int hostPort =
                    Integer.parseInt(daemons.url().substring(daemons.url().lastIndexOf(':') + 1));
            assertThat(commands.get(0).command()).contains("-R", hostPort + ":127.0.0.1:" + hostPort);

            List<String> interfaces = daemons.mirai(() -> {
                        List<String> names = new ArrayList<>();
                        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                            names.add(n.getName());
                        }
                        return names;
                    })
                    .get(WAIT);
            assertThat(interfaces)
                    .as("the daemon runs in the other host's network namespace")
                    .contains("jm-veth1")
                    .doesNotContain("jm-veth0");
            assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
        }
        await("the tunnel's ssh ends with its daemon")
                .atMost(WAIT)
                .until(() -> ProcessHandle.current().children().noneMatch(SshLauncherTest::isSsh));
    }

    @Test
    void shouldPinTheZeroConfigCertificateThroughAReverseTunnel() throws Exception {
        String other = RemoteInfra.namespaceHost(sshDir);
        try (Daemons daemons = Daemons.builder().url("wss://127.0.0.1:0").start()) {
            List<LaunchCommand> commands = daemons.launchRemote(1, ssh(other).tunnel(true));
            assertThat(commands.get(0).shell()).contains("--cert-pem=").doesNotContain(daemons.secret());
            assertThat(daemons.mirai(() -> java.net.InetAddress.getLocalHost().getHostName() != null)
                            .get(WAIT))
                    .isTrue();
            assertThat(daemons.status().connections()).isEqualTo(1);
        }
    }

    @Test
    void shouldReportWithTheDaemonsOutputThatTheOtherMachineCannotReachTheHostWithoutATunnel() throws Exception {
        String other = RemoteInfra.namespaceHost(sshDir);
        try (Daemons daemons = Daemons.builder().url("tcp://127.0.0.1:0").start()) {
            // the daemon keeps dialing for its dial timeout, then exits 69 with its reason
            assertThatThrownBy(() -> daemons.launchRemote(
                            1,
                            ssh(other).daemonOptions(RemoteInfra.taskClasspath().dialTimeout(Duration.ofSeconds(2)))))
                    .isInstanceOf(LaunchException.class)
                    .isInstanceOf(DaemonStartException.class)
                    .hasMessageContaining("daemon command exited before its daemons connected")
                    .hasMessageContaining("target=" + other)
                    .hasMessageContaining("exitCode=69")
                    .hasMessageContaining("jmirai-daemon")
                    .satisfies(e -> assertThat(((LaunchException) e).output()).doesNotContain(daemons.secret()));
            assertThat(daemons.status().connections()).isZero();
            assertThat(ProcessHandle.current().children().noneMatch(SshLauncherTest::isSsh))
                    .isTrue();
            assertThat(daemons.mirai(() -> 1).isUnresolved())
                    .as("the host still takes tasks")
                    .isTrue();
        }
    }

    @Test
    void shouldReportARefusedSshConnectionWithSshsOwnOutput() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (Daemons daemons = Daemons.builder().start()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> daemons.launchRemote(2, ssh("127.0.0.1").port(closed)))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("exitCode=255")
                    .hasMessageContaining("Connection refused")
                    .satisfies(e -> assertThat(((LaunchException) e).exitCode()).isEqualTo(255));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
            assertThat(ProcessHandle.current().children().noneMatch(SshLauncherTest::isSsh))
                    .isTrue();
            assertThat(daemons.status().connections()).isZero();
        }
    }

    @Test
    void shouldRefuseATunnelWhenTheHostIsNotOnLoopback() {
        try (Daemons daemons = Daemons.builder().url("tcp://0.0.0.0:0").start()) {
            assertThatThrownBy(() ->
                            daemons.launchRemote(1, ssh("127.0.0.1").port(port).tunnel(true)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("an ssh tunnel needs the host's url on 127.0.0.1");
            assertThat(ProcessHandle.current().children().noneMatch(SshLauncherTest::isSsh))
                    .isTrue();
        }
    }

    private static boolean isSsh(ProcessHandle h) {
        return h.isAlive() && h.info().command().map(c -> c.endsWith("/ssh")).orElse(false);
    }
}
