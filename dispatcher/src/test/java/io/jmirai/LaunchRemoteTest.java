package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jmirai.launch.LaunchCommand;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LaunchException;
import io.jmirai.transport.protocol.DaemonKeys;
import io.jmirai.transport.protocol.Handshake;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Daemons.launchRemote}: commands for manual deployment, pasted into a shell as a user would; local launches
 * through the same call; commands whose daemons never connect; bad input.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class LaunchRemoteTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldGiveCommandsThatStartDaemonsWhenPastedIntoAShellWithTheSecretLine() throws Exception {
        List<Process> shells = new ArrayList<>();
        try (Daemons daemons = Daemons.builder().start()) {
            List<LaunchCommand> defaults = daemons.launchRemote(1);
            assertThat(defaults.get(0).shell())
                    .isEqualTo(
                            "java -jar jmirai-daemon.jar " + daemons.url() + " --slot=1 --secret-stdin --autoexit=now");
            assertThat(defaults.get(0).secretLine())
                    .as("the daemon's own key, not the session secret")
                    .isEqualTo(DaemonKeys.derive(daemons.secret(), 1, ""))
                    .doesNotContain(daemons.secret());

            List<LaunchCommand> commands = daemons.launchRemote(
                    2, RemoteInfra.daemonOn(LaunchConfig.manual()).daemonOptions(RemoteInfra.taskClasspath()));
            assertThat(commands).extracting(c -> c.slots().get(0)).containsExactly(2, 3);
            for (LaunchCommand c : commands) {
                assertThat(c.shell()).doesNotContain(daemons.secret());
                // What a person does: paste the command line, then the secret line.
                ProcessBuilder pb = new ProcessBuilder("sh", "-c", c.shell()).redirectErrorStream(true);
                pb.environment().remove(Handshake.SECRET_ENV);
                Process p = pb.start();
                shells.add(p);
                try (OutputStream in = p.getOutputStream()) {
                    in.write((c.secretLine() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            await("both pasted daemons connect")
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 2);
            assertThat(daemons.status().daemons())
                    .filteredOn(Status.DaemonStatus::online)
                    .extracting(Status.DaemonStatus::id)
                    .containsExactlyInAnyOrder("2", "3");
            assertThat(daemons.mirai(() -> new Values.Point(1, 2).scaled(3)).get(WAIT))
                    .isEqualTo(new Values.Point(3, 6));
        } finally {
            for (Process p : shells) {
                try {
                    assertThat(p.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                            .as("a pasted daemon exits when the host closes")
                            .isTrue();
                    assertThat(p.exitValue())
                            .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                            .isZero();
                } finally {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void shouldGiveTlsCommandsThatPinTheHostsCertificate() throws Exception {
        try (Daemons daemons = Daemons.builder().url("tls+tcp://127.0.0.1:0").start()) {
            LaunchCommand c = daemons.launchRemote(
                            1, RemoteInfra.daemonOn(LaunchConfig.manual()).daemonOptions(RemoteInfra.taskClasspath()))
                    .get(0);
            assertThat(c.command()).contains("--cert-pem=" + daemons.certificatePem());
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", c.shell()).redirectErrorStream(true);
            pb.environment().remove(Handshake.SECRET_ENV);
            Process p = pb.start();
            try {
                try (OutputStream in = p.getOutputStream()) {
                    in.write((c.secretLine() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void shouldLaunchLocalDaemonsThroughTheSameCall() throws Exception {
        try (Daemons daemons = Daemons.builder().start()) {
            List<LaunchCommand> commands = daemons.launchRemote(2, LaunchConfig.local());
            assertThat(commands).hasSize(2).allSatisfy(c -> {
                assertThat(c.target()).isEqualTo("localhost");
                assertThat(c.command())
                        .contains(
                                "io.jmirai.daemon.DaemonMain",
                                daemons.url() + "/" + c.slots().get(0));
                assertThat(c.shell()).doesNotContain(daemons.secret());
            });
            assertThat(daemons.status().connections()).isEqualTo(2);
            assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
        }
    }

    @Test
    void shouldGiveUpOnACommandWhoseDaemonNeverConnectsAndKillIt() {
        try (Daemons daemons = Daemons.builder().start()) {
            // A stand-in for a remote runner that hangs: sh runs "sleep 60" and ignores the daemon's command.
            LaunchConfig.Remote hangs = LaunchConfig.remote("sh", "-c", "sleep 60", "sh", LaunchConfig.DAEMON)
                    .timeout(Duration.ofSeconds(2));
            long start = System.nanoTime();
            assertThatThrownBy(() -> daemons.launchRemote(1, hangs))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("daemons did not connect within PT2S")
                    .hasMessageContaining("exitCode=-1")
                    .hasMessageContaining("command=sh -c 'sleep 60' sh java -jar jmirai-daemon.jar");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(ProcessHandle.current()
                            .descendants()
                            .filter(ProcessHandle::isAlive)
                            .map(h -> h.info().commandLine().orElse("")))
                    .noneMatch(c -> c.contains("sleep 60"));
            assertThat(daemons.status().daemons())
                    .as("the failed launch left no slot behind")
                    .isEmpty();
            assertThat(daemons.mirai(() -> 1).isUnresolved()).isTrue();
        }
    }

    @Test
    void shouldRejectBadArgumentsAndClosedDaemons() {
        Daemons daemons = Daemons.builder().start();
        assertThatThrownBy(() -> daemons.launchRemote(-1)).hasMessageContaining("n : -1 (expected: >= 0)");
        assertThatThrownBy(() -> daemons.launchRemote(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(daemons.launchRemote(0)).isEmpty();
        daemons.close();
        assertThatThrownBy(() -> daemons.launchRemote(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("daemons are closed");
    }
}
