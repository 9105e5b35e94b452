package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.protocol.FrameType;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Strangers cannot lock daemons out, and connections cannot grow the status without bound. Real listeners on
 * loopback; the flood comes from 127.0.0.2 (also loopback on Linux), the daemon from 127.0.0.1.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class AdmissionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldAdmitADaemonWhileAnotherAddressReconnectsAsFastAsItIsClosed() throws Exception {
        InetAddress flooder = InetAddress.getByName("127.0.0.2");
        try (Daemons daemons = Daemons.builder()
                .maxUnauthenticated(16)
                .startTimeout(Duration.ofSeconds(60))
                .start()) {
            InetSocketAddress host = new InetSocketAddress(
                    InetAddress.getLoopbackAddress(),
                    io.jmirai.transport.ListenUrl.parse(daemons.url()).port());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong connects = new AtomicLong();
            List<Thread> flood = new ArrayList<>();
            for (int i = 0; i < 24; i++) { // more than the whole cap, each reconnecting as soon as it is closed
                Thread t = new Thread(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (!stop.get() && System.nanoTime() < end) {
                        try (Socket s = new Socket()) {
                            s.bind(new InetSocketAddress(flooder, 0));
                            s.connect(host, 5000);
                            connects.incrementAndGet();
                            s.setSoTimeout(15_000);
                            InputStream in = s.getInputStream();
                            while (in.read() >= 0) {
                                // drain until the host closes it
                            }
                        } catch (java.io.IOException e) {
                            // closed or refused: connect again
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing only, to spare the CPU
                    }
                });
                t.setDaemon(true);
                t.start();
                flood.add(t);
            }
            try {
                long seen = connects.get();
                org.awaitility.Awaitility.await().atMost(WAIT).until(() -> connects.get() > seen + 100);
                long start = System.nanoTime();
                daemons.launchLocal(1);
                assertThat(daemons.mirai(() -> "admitted").get(WAIT)).isEqualTo("admitted");
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("daemon admitted during the flood")
                        .isLessThan(Duration.ofSeconds(45));
                assertThat(connects.get()).as("the flood went on").isGreaterThan(seen + 100);
            } finally {
                stop.set(true);
                for (Thread t : flood) {
                    t.join(20_000);
                }
            }
        }
    }

    @Test
    void shouldKeepOnlyRecentOfflineRowsOfTheSharedUrlButEveryPerDaemonRow() throws Exception {
        try (Daemons daemons = Daemons.builder().perDaemonUrls(2).start()) {
            for (int i = 0; i < 150; i++) {
                try (RawPeer peer = new RawPeer(daemons.url())) {
                    assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
                }
            }
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 0);
            Status s = daemons.status();
            assertThat(s.cumulative()).isEqualTo(150);
            assertThat(s.daemons()).hasSize(64 + 2);
            assertThat(s.daemons())
                    .filteredOn(d -> d.url().equals(daemons.urls().get(0)))
                    .hasSize(1);
            assertThat(s.daemons())
                    .filteredOn(d -> d.url().equals(daemons.urls().get(1)))
                    .hasSize(1);
        }
    }
}
