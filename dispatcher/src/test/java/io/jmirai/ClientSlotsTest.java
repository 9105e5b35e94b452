package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.dispatcher.ClientCalls;
import io.jmirai.launch.LocalLauncher;
import io.jmirai.launch.LocalProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slot operations a client's launches use (RESERVE_SLOTS, AWAIT_SLOT, RELEASE_SLOTS) against an embedded host
 * that admits clients: a wait that times out answers "not yet" and leaves the slot waitable, a daemon started at a
 * reserved slot with the key the client derives is admitted, and bad arguments are clear errors. (A real server and
 * its launches: server module, {@code ClientLaunchTest}.)
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ClientSlotsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldReserveAwaitAndReleaseSlotsForAClient() throws Exception {
        try (Daemons host = Daemons.builder()
                .clientService((op, args, reply) -> reply.error("unknown request: op=" + op))
                .start()) {
            Path credentials = dir.resolve("host.credentials");
            Files.writeString(
                    credentials, "url=" + host.url() + "\nsecret=" + host.secret() + "\n", StandardCharsets.UTF_8);
            try (Daemons client = Daemons.connect(credentials, WAIT)) {
                ServerSession session = client.serverSession();
                List<Integer> slots = session.reserve(2);
                assertThat(slots).hasSize(2).doesNotHaveDuplicates();
                int slot = slots.get(0);

                for (int i = 0; i < 2; i++) { // twice: a timed-out wait leaves the slot waitable
                    byte[] notYet = session.call(
                            ClientCalls.AWAIT_SLOT,
                            new ClientCalls.Out().i32(slot).i64(100).toBytes(),
                            WAIT);
                    assertThat(notYet).containsExactly(0);
                }

                java.util.concurrent.CompletableFuture<Void> connected = session.connected(slot);
                LocalProcess daemon = new LocalLauncher()
                        .launch(session.url(slot), slot, DaemonOptions.defaults(), host.secret(), null);
                try {
                    connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(session.call(
                                    ClientCalls.AWAIT_SLOT,
                                    new ClientCalls.Out().i32(slot).i64(100).toBytes(),
                                    WAIT))
                            .containsExactly(1);
                    assertThat(client.mirai(() -> 6 * 7).get(WAIT)).isEqualTo(42);
                } finally {
                    daemon.process().destroy();
                    daemon.process().waitFor(30, TimeUnit.SECONDS);
                }

                session.release(List.of(slots.get(1)));
                assertThat(host.status().daemons())
                        .extracting(Status.DaemonStatus::id)
                        .doesNotContain(String.valueOf(slots.get(1)));
                assertThatThrownBy(() -> session.reserve(5000))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("expected: 0 to 1024");
                assertThatThrownBy(() -> session.call(
                                ClientCalls.AWAIT_SLOT,
                                new ClientCalls.Out().i32(999).i64(100).toBytes(),
                                WAIT))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }
}
