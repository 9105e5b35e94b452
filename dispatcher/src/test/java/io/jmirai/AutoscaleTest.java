package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Daemons.Builder#autoscale} with local daemons: up while tasks wait, down to min once idle, up again. */
@Tag("integration")
@Timeout(180)
@ExtendWith(LeakCheck.class)
class AutoscaleTest {
    // Generous: daemon JVMs start slowly on a loaded 2-core machine shared by several builds.
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldLaunchWhileTasksWaitWithinMaxAndRetireIdleDaemonsDownToMin() throws Exception {
        try (Daemons daemons =
                Daemons.builder().autoscale(0, 2, Duration.ofMillis(1500)).start()) {
            Status idle = daemons.status();
            assertThat(idle.expected()).isZero();
            assertThat(idle.running() + idle.initializing()).isZero();

            List<Mirai<Long>> ms = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ms.add(daemons.mirai(() -> {
                    Thread.sleep(300);
                    return ProcessHandle.current().pid();
                }));
            }
            AtomicInteger most = new AtomicInteger();
            await("autoscale launches daemons for the waiting tasks")
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        Status s = daemons.status();
                        most.accumulateAndGet(s.running() + s.initializing(), Math::max);
                        return s.running() >= 1;
                    });
            assertThat(daemons.status().expected()).isEqualTo(2);
            Set<Long> pids = new HashSet<>();
            for (Mirai<Long> m : ms) {
                pids.add(m.get(WAIT));
                Status s = daemons.status();
                most.accumulateAndGet(s.running() + s.initializing(), Math::max);
            }
            assertThat(most.get()).as("never more than max").isLessThanOrEqualTo(2);
            assertThat(pids).hasSizeBetween(1, 2);

            await("idle daemons retire down to min")
                    .atMost(WAIT)
                    .until(() -> daemons.status().connections() == 0);
            Status after = daemons.status();
            assertThat(after.running() + after.initializing()).isZero();
            assertThat(after.expected()).isZero();
            assertThat(after.completed()).isEqualTo(12);
            await("retired processes exit")
                    .atMost(WAIT)
                    .until(() -> pids.stream()
                            .noneMatch(p -> ProcessHandle.of(p)
                                    .map(ProcessHandle::isAlive)
                                    .orElse(false)));

            assertThat(daemons.mirai(() -> 6 * 7).get(WAIT)).as("and up again").isEqualTo(42);
        }
    }

    @Test
    void shouldKeepMinDaemonsAndRefuseManualScaling() throws Exception {
        try (Daemons daemons =
                Daemons.builder().autoscale(1, 2, Duration.ofMillis(500)).start()) {
            await("min is launched at start")
                    .atMost(WAIT)
                    .until(() -> daemons.status().running() == 1);
            assertThat(daemons.mirai(() -> 1).get(WAIT)).isEqualTo(1);
            await("idle for four times the idle time, min stays")
                    .during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> daemons.status().running() == 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> daemons.scale(3))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("autoscale is on");
        }
    }
}
