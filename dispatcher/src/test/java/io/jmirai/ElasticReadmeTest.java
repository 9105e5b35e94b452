package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.api.DaemonContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's "Elastic pools, shared state and reduce" examples, as written there, with their stated results. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ElasticReadmeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldRunTheScaleResetAndReduceExamples() throws Exception {
        try (Daemons daemons = Daemons.builder().local(1).start()) {
            daemons.scale(3); // two more launched; returns at once
            Status s = daemons.status(); // expected 3, running + initializing 3
            assertThat(s.expected()).isEqualTo(3);
            assertThat(s.running() + s.initializing()).isEqualTo(3);
            daemons.scale(1); // two retire, each after its task
            assertThat(daemons.status().expected()).isEqualTo(1);
            await().atMost(WAIT).until(() -> daemons.status().running() == 1);

            daemons.everywhere(() -> DaemonContext.put("model", "m1"));
            Mirai.collect(daemons.reset()); // wait until every daemon is reset
            daemons.everywhere(() -> DaemonContext.put("model", "m2"));
            assertThat(daemons.mirai(() -> DaemonContext.get("model")).get(WAIT))
                    .isEqualTo("m2");

            long total = daemons.map(List.of(1, 2, 3), x -> (long) x * x).reduce(0L, Long::sum); // 14
            long sumOfSquares = daemons.mapReduce(
                    List.of(1, 2, 3, 4),
                    x -> (long) x * x,
                    0L,
                    Long::sum,
                    MapOptions.defaults().chunks(2)); // 30
            assertThat(total).isEqualTo(14);
            assertThat(sumOfSquares).isEqualTo(30);
        }
    }
}
