package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.transport.protocol.FrameType;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Heartbeats keep idle daemons connected and expose peers that froze without closing their connection. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class HeartbeatTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration BEAT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void shouldReportAFrozenDaemonLostWhileTheOtherCarriesOn() throws Exception {
        try (Daemons daemons = Daemons.builder().heartbeat(BEAT).local(2).start()) {
            Sleeper sleeper = Sleeper.start(daemons, dir);
            Mirai<Integer> victim = sleeper.mirai();
            long pid = sleeper.pid();
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
            try {
                assertThat(stop.waitFor()).isZero();
                long start = System.nanoTime();
                Object d = DaemonsTest.awaitData(victim); // the frozen daemon's socket stays open: only heartbeats tell
                assertThat(((ErrorValue) d).code()).isEqualTo(ErrorValue.CONNECTION_RESET);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
                assertThat(daemons.mirai(() -> "the other one").get(WAIT)).isEqualTo("the other one");
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void shouldKeepIdleDaemonsConnectedAcrossManyIntervals() throws Exception {
        try (Daemons daemons = Daemons.builder().heartbeat(BEAT).local(1).start()) {
            await().during(Duration.ofMillis(BEAT.toMillis() * 6))
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 1);
            assertThat(daemons.status().cumulative()).isEqualTo(1);
            assertThat(daemons.mirai(() -> "still here").get(WAIT)).isEqualTo("still here");
        }
    }

    @Test
    void shouldSendHeartbeatsAndDropAPeerThatSendsNothing() throws Exception {
        try (Daemons daemons = Daemons.builder().heartbeat(BEAT).start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            assertThat(peer.next().type()).isEqualTo(FrameType.HEARTBEAT);
            long start = System.nanoTime();
            assertThat(peer.awaitClosed()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
