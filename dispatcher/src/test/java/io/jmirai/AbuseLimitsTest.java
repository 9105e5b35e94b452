package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.ListenUrl;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connections that never authenticate cannot crowd out real daemons for longer than the handshake deadline. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class AbuseLimitsTest {
    @Test
    void shouldCapUnauthenticatedConnectionsAndStillAdmitARealDaemonAfterTheDeadline() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .url("wss://127.0.0.1:0")
                .maxUnauthenticated(8) // 2 per source address, and all of these come from 127.0.0.1
                .handshakeTimeout(Duration.ofSeconds(2))
                .startTimeout(Duration.ofSeconds(60))
                .start()) {
            ListenUrl u = ListenUrl.parse(daemons.url());
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = new Socket(InetAddress.getByName(u.host()), u.port());
                    s.setSoTimeout(15_000);
                    stalled.add(s);
                }
                try (Socket third = new Socket(InetAddress.getByName(u.host()), u.port())) {
                    third.setSoTimeout(15_000);
                    long start = System.nanoTime();
                    assertThat(TransportContractTest.closedByPeer(third)).isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .as("closed at once, over the cap")
                            .isLessThan(Duration.ofSeconds(1));
                }
                // The real daemon's first dial may meet the cap too; the stalled ones are closed at the deadline
                // and it is admitted within its start timeout.
                daemons.launchLocal(1);
                assertThat(daemons.mirai(() -> "admitted").get(Duration.ofSeconds(30)))
                        .isEqualTo("admitted");
                for (Socket s : stalled) {
                    assertThat(TransportContractTest.closedByPeer(s)).isTrue();
                }
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }
}
