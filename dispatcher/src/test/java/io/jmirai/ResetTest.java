package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.DaemonContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Daemons#reset()}: every daemon back to a clean state without a restart, and everywhere works after it. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ResetTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** What every daemon sees: the context key, the property, the working directory, and its pid. */
    private static List<Object> probe(Daemons daemons) throws Exception {
        // an everywhere call runs once on each daemon; this one leaves nothing behind
        return Mirai.collect(daemons.everywhere(() -> new java.util.ArrayList<Object>(List.of(
                DaemonContext.getOrDefault("model", "none"),
                System.getProperty("jmirai.reset.test", "unset"),
                System.getProperty("user.dir"),
                ProcessHandle.current().pid()))));
    }

    @Test
    void shouldClearWhatSetupsLeftOnEveryDaemonWithoutRestartingIt() throws Exception {
        try (Daemons daemons = Daemons.local(2)) {
            String startDir =
                    daemons.mirai(() -> System.getProperty("user.dir")).get(WAIT);
            Mirai.collect(daemons.everywhere(() -> {
                DaemonContext.put("model", "m1");
                System.setProperty("jmirai.reset.test", "set");
                System.setProperty("user.dir", "/tmp");
                return 0;
            }));
            List<Object> before = probe(daemons);
            assertThat(before).hasSize(2).allSatisfy(v -> assertThat(asList(v)).startsWith("m1", "set", "/tmp"));

            List<Mirai<Integer>> reset = daemons.reset();
            assertThat(reset).hasSize(2);
            assertThat(Mirai.collect(reset)).as("context entries dropped").containsOnly(1);

            List<Object> after = probe(daemons);
            assertThat(after).hasSize(2).allSatisfy(v -> assertThat(asList(v)).startsWith("none", "unset", startDir));
            assertThat(pids(after)).as("same JVMs").isEqualTo(pids(before));
            assertThat(daemons.mirai(() -> DaemonContext.keys()).get(WAIT)).isEmpty();

            daemons.launchLocal(1); // a daemon that connects after the reset gets none of the old setups
            assertThat(probe(daemons))
                    .hasSize(3)
                    .allSatisfy(v -> assertThat(asList(v)).startsWith("none", "unset"));

            Mirai.collect(daemons.everywhere(() -> DaemonContext.put("model", "m2")));
            assertThat(probe(daemons))
                    .hasSize(3)
                    .allSatisfy(v -> assertThat(asList(v)).startsWith("m2"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object v) {
        return (List<Object>) v;
    }

    private static List<Object> pids(List<Object> probes) {
        return probes.stream()
                .map(v -> ((List<?>) v).get(3))
                .sorted()
                .map(Object.class::cast)
                .toList();
    }
}
