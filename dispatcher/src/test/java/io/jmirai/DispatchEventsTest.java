package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import io.jmirai.daemon.Daemon;
import io.jmirai.daemon.DaemonConfig;
import io.jmirai.daemon.DaemonEvents;
import io.jmirai.dispatcher.DispatchEvents;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.transport.ListenUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link DispatchEvents} observer sees the events of a real run (one local daemon JVM), in order; a
 * {@link DaemonEvents} observer sees those of a daemon (in this JVM, so that the test can hand it the observer).
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DispatchEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldSeeEveryEventOfARealRunInOrder() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (Daemons daemons =
                Daemons.builder().local(1).events(new Recorder(events)).start()) {
            assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
            Mirai<Object> failed = daemons.mirai(() -> {
                throw new IllegalStateException("reported too");
            });
            DaemonsTest.awaitData(failed);
        } // close waits for the dispatcher's loop, so every event has been recorded
        assertThat(events)
                .containsExactly(
                        "connected 1",
                        "submitted 1",
                        "dispatched 1 to 1",
                        "resolved 1 Result",
                        "submitted 2",
                        "dispatched 2 to 1",
                        "resolved 2 Result",
                        "lost 1");
    }

    @Test
    void shouldSeeTheDaemonSideEventsOfARealRunInOrder() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Daemons daemons = Daemons.builder().start();
        try {
            DaemonConfig config = new DaemonConfig(
                    ListenUrl.parse(daemons.url()),
                    daemons.secret().getBytes(StandardCharsets.UTF_8),
                    0,
                    "",
                    AutoExit.NOW,
                    null,
                    null,
                    0,
                    false, // cleanup would reset this JVM's system properties
                    true,
                    DispatchEventsTest.class.getClassLoader(),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    null,
                    true);
            try (Daemon daemon = Daemon.start(config, System.err, new DaemonRecorder(events))) {
                assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
                daemons.close(); // the host goes away: the daemon loses its connection and exits
                assertThat(daemon.exitCode().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(ExitCode.CONNECTION_ENDED);
            }
        } finally {
            daemons.close(); // idempotent
        }
        String url = events.get(0).substring("connected ".length());
        assertThat(url).startsWith("tcp://127.0.0.1:");
        assertThat(events).containsExactly("connected " + url, "started 1", "finished 1 flags=0", "lost " + url);
    }

    /** Writes each daemon event as a line; called on the daemon's event loop. */
    private record DaemonRecorder(List<String> lines) implements DaemonEvents {
        @Override
        public void connected(String url) {
            lines.add("connected " + url);
        }

        @Override
        public void taskStarted(long taskId) {
            lines.add("started " + taskId);
        }

        @Override
        public void taskFinished(long taskId, int flags) {
            lines.add("finished " + taskId + " flags=" + flags);
        }

        @Override
        public void lost(String url) {
            lines.add("lost " + url);
        }
    }

    /** Writes each event as a line; called on the dispatcher's thread. */
    private record Recorder(List<String> lines) implements DispatchEvents {
        @Override
        public void taskSubmitted(long taskId) {
            lines.add("submitted " + taskId);
        }

        @Override
        public void taskDispatched(long taskId, String daemonId) {
            lines.add("dispatched " + taskId + " to " + daemonId);
        }

        @Override
        public void taskResolved(long taskId, Outcome outcome) {
            lines.add("resolved " + taskId + " " + outcome.getClass().getSimpleName());
        }

        @Override
        public void daemonConnected(String daemonId, long pid) {
            assertThat(pid).isPositive();
            lines.add("connected " + daemonId);
        }

        @Override
        public void daemonLost(String daemonId, long pid) {
            lines.add("lost " + daemonId);
        }
    }
}
