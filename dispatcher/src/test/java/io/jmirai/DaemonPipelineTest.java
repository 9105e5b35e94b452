package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.DaemonContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real daemon given many tasks at once (direct mode: they queue at the daemon, so its worker takes them back to
 * back and hands results back in batches): every task runs once, with its own captured values, in order, and the
 * cleanup still runs between two queued tasks.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonPipelineTest {
    private static Daemons daemons;

    @BeforeAll
    static void start() {
        daemons = Daemons.builder().local(1).dispatcher(false).start();
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    @Test
    void shouldAnswerEveryQueuedTaskWithItsOwnCapturedValue() throws Exception {
        int n = 1000;
        List<Mirai<Long>> ms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long k = i;
            ms.add(daemons.mirai(() -> k * 3 + 1));
        }
        List<Object> values = Mirai.collect(ms, WAIT);
        for (int i = 0; i < n; i++) {
            assertThat(values.get(i)).as("task %d", i).isEqualTo(i * 3L + 1);
        }
        Status s = daemons.status();
        assertThat(s.executing()).isZero();
        assertThat(s.daemons().get(0).complete()).isGreaterThanOrEqualTo(n);
    }

    @Test
    void shouldCleanUpBetweenTasksTakenBackToBack() throws Exception {
        int pairs = 100;
        List<Mirai<String>> writes = new ArrayList<>();
        List<Mirai<String>> reads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String v = Integer.toString(i);
            writes.add(daemons.mirai(() -> {
                System.setProperty("jmirai.test.pipeline", v);
                DaemonContext.put("pipeline", v);
                return System.getProperty("jmirai.test.pipeline");
            }));
            reads.add(daemons.mirai(() -> System.getProperty("jmirai.test.pipeline", "none") + "/"
                    + DaemonContext.getOrDefault("pipeline", "none")));
        }
        for (int i = 0; i < pairs; i++) {
            assertThat(writes.get(i).get(WAIT)).isEqualTo(Integer.toString(i));
            assertThat(reads.get(i).get(WAIT))
                    .as("the task after a write sees the baseline")
                    .isEqualTo("none/none");
        }
    }
}
