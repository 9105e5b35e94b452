package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.ListenUrl;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The slot table and its waiters ({@link SlotRegistry}), by plain calls: no socket, no thread. */
@Timeout(10)
class SlotRegistryTest {
    private final SlotRegistry slots = new SlotRegistry(ListenUrl.parse("ws://127.0.0.1:5555"));

    private static DaemonConnection connection() {
        DaemonConnection conn = new DaemonConnection(null);
        conn.attachAuthenticated(new EmbeddedChannel(), null, 1);
        return conn;
    }

    private void connect(DaemonConnection conn) {
        slots.connected(conn);
        slots.notifyConnected(conn.row);
    }

    @Test
    void shouldAdmitOneDaemonPerReservedSlotAndCountInstances() {
        List<Integer> reserved = slots.reserve(2);
        assertThat(reserved).containsExactly(1, 2);
        CompletableFuture<Void> first = slots.slotConnected(1);
        DaemonConnection a = connection();
        assertThat(slots.claim(a, 1, "", "/1")).isNull();
        connect(a);
        assertThat(first).isCompleted();
        assertThat(slots.claim(connection(), 1, "", "/1")).isEqualTo("slot taken: slot=1");

        CompletableFuture<Void> next = slots.slotReconnected(1);
        slots.disconnected(a);
        assertThat(next).isNotDone();
        DaemonConnection b = connection();
        assertThat(slots.claim(b, 1, "", "")).isNull();
        connect(b);
        assertThat(next).isCompleted();
        assertThat(slots.rows())
                .extracting(r -> r.id() + ":" + r.online() + ":" + r.instance())
                .containsExactly("1:true:2", "2:false:0");
        assertThat(slots.connections()).isEqualTo(1);
        assertThat(slots.cumulative()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAStaleTokenOrAMismatchedPathOrAnUnknownSlot() {
        slots.reserve(1);
        ListenUrl fresh = slots.regenerate(1, false);
        String token = fresh.path().substring("/1/".length());
        assertThat(token).hasSize(16);
        assertThat(slots.claim(connection(), 1, "", "")).isEqualTo("stale or wrong token for slot: slot=1");
        assertThat(slots.claim(connection(), 1, token, "/2")).isEqualTo("path does not match the handshake: path=/2");
        assertThat(slots.claim(connection(), 7, "", "")).isEqualTo("unknown slot: slot=7");
        assertThat(slots.claim(connection(), 0, "", "/1")).isEqualTo("unknown path: path=/1");
        assertThat(slots.claim(connection(), 1, token, fresh.path())).isNull();
    }

    @Test
    void shouldGiveEachSharedConnectionItsOwnRowAndWakeConnectionWaiters() {
        CompletableFuture<Void> two = slots.connectionsAtLeast(2);
        DaemonConnection a = connection();
        DaemonConnection b = connection();
        assertThat(slots.claim(a, 0, "", "")).isNull();
        connect(a);
        assertThat(two).isNotDone();
        assertThat(slots.claim(b, 0, "", "/")).isNull();
        connect(b);
        assertThat(two).isCompleted();
        assertThat(slots.online()).containsExactly(a, b);
        assertThat(slots.rows()).extracting(r -> r.id()).containsExactly("shared1", "shared2");
        assertThat(slots.connectionsAtLeast(2)).as("already there").isCompleted();
    }

    @Test
    void shouldForgetOnlyNeverConnectedSlotsAndFailTheirWaiters() {
        slots.reserve(2);
        CompletableFuture<Void> never = slots.slotConnected(2);
        DaemonConnection a = connection();
        slots.claim(a, 1, "", "");
        connect(a);
        slots.disconnected(a);
        slots.release(List.of(1, 2));
        assertThat(never).isCompletedExceptionally();
        assertThat(slots.rows()).extracting(r -> r.id()).containsExactly("1");
        assertThat(slots.claim(connection(), 2, "", "")).isEqualTo("unknown slot: slot=2");
    }

    @Test
    void shouldFailEveryWaiterOnClose() {
        slots.reserve(1);
        CompletableFuture<Void> slot = slots.slotConnected(1);
        CompletableFuture<Void> many = slots.connectionsAtLeast(3);
        CompletableFuture<Void> again = slots.slotReconnected(1);
        slots.close();
        assertThat(List.of(slot, many, again)).allMatch(CompletableFuture::isCompletedExceptionally);
    }
}
