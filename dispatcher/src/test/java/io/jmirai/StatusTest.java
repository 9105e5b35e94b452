package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Status counters after a known sequence of events. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class StatusTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldCountExactlyAfterAKnownSequence() throws Exception {
        // one task in flight per daemon, so that the third long-running task waits at the host (awaiting)
        try (Daemons daemons = Daemons.builder().prefetch(1).local(2).start()) {
            Status s0 = daemons.status();
            assertThat(s0.url())
                    .isEqualTo(daemons.url())
                    .startsWith("tcp://127.0.0.1:")
                    .doesNotEndWith(":0");
            assertThat(s0.connections()).isEqualTo(2);
            assertThat(s0.cumulative()).isEqualTo(2);
            assertThat(s0.awaiting()).isZero();
            assertThat(s0.executing()).isZero();
            assertThat(s0.completed()).isZero();
            assertThat(s0.daemons())
                    .extracting(Status.DaemonStatus::id, Status.DaemonStatus::online, Status.DaemonStatus::instance)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("1", true, 1),
                            org.assertj.core.groups.Tuple.tuple("2", true, 1));

            for (int i = 0; i < 5; i++) {
                int k = i;
                daemons.mirai(() -> k).get(WAIT);
            }
            DaemonsTest.awaitData(daemons.mirai(() -> {
                throw new IllegalStateException("counted too");
            }));

            Mirai<Integer> a = daemons.mirai(() -> {
                Thread.sleep(30_000);
                return 1;
            });
            Mirai<Integer> b = daemons.mirai(() -> {
                Thread.sleep(30_000);
                return 2;
            });
            Mirai<Integer> c = daemons.mirai(() -> 3);
            await().atMost(WAIT).until(() -> daemons.status().executing() == 2);

            Status s1 = daemons.status();
            assertThat(s1.awaiting()).isEqualTo(1);
            assertThat(s1.executing()).isEqualTo(2);
            assertThat(s1.completed()).isEqualTo(6);
            assertThat(s1.daemons().stream()
                            .mapToLong(Status.DaemonStatus::assigned)
                            .sum())
                    .isEqualTo(8);
            assertThat(s1.daemons().stream()
                            .mapToLong(Status.DaemonStatus::complete)
                            .sum())
                    .isEqualTo(6);
            assertThat(s1.toString()).contains("awaiting:    1").contains("executing:   2");
            assertThat(a.isUnresolved() && b.isUnresolved() && c.isUnresolved()).isTrue();
        }
    }
}
