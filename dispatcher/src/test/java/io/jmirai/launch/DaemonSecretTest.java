package io.jmirai.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.DaemonOptions;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.DaemonKeys;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What launchers give a daemon: its own key where the slot is known, else the session secret. */
class DaemonSecretTest {
    private static final String SECRET = "s3cr3t";

    @Test
    void shouldGiveALocalDaemonAtAPerDaemonUrlItsOwnKey() {
        assertThat(LocalLauncher.daemonSecret(SECRET, ListenUrl.parse("tcp://127.0.0.1:5555/3/tok"), 3))
                .isEqualTo(DaemonKeys.derive(SECRET, 3, "tok"));
        assertThat(LocalLauncher.daemonSecret(SECRET, ListenUrl.parse("ws://127.0.0.1:5555/4"), 4))
                .isEqualTo(DaemonKeys.derive(SECRET, 4, ""));
    }

    @Test
    void shouldGiveTheSessionSecretWhereTheSlotIsNotKnown() {
        assertThat(LocalLauncher.daemonSecret(SECRET, ListenUrl.parse("tcp://127.0.0.1:5555"), 3))
                .isEqualTo(SECRET);
        assertThat(LocalLauncher.daemonSecret(SECRET, ListenUrl.parse("tcp://127.0.0.1:5555/4"), 3))
                .as("a path naming another slot")
                .isEqualTo(SECRET);
    }

    @Test
    void shouldGiveOneKeyPerCommandOfOneDaemon() {
        LaunchContext context = new LaunchContext(
                ListenUrl.parse("tcp://127.0.0.1:5555"),
                SECRET,
                null,
                DaemonOptions.defaults(),
                n -> List.of(),
                slot -> new CompletableFuture<>(),
                p -> {});
        assertThat(context.secretFor(List.of(7))).isEqualTo(DaemonKeys.derive(SECRET, 7, ""));
        assertThat(context.secretFor(List.of(7, 8)))
                .as("one secret line for several daemons")
                .isEqualTo(SECRET);
    }
}
