package io.jmirai.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.api.DaemonContext;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The daemon-side task state behind {@link DaemonContext}. */
class TaskScopeTest {
    @AfterEach
    void reset() {
        TaskScope.reset();
    }

    @Test
    void shouldDeriveAStreamSeedThatDependsOnlyOnSeedAndIndex() {
        assertThat(TaskScope.streamSeed(42, 7)).isEqualTo(TaskScope.streamSeed(42, 7));
        Set<Long> seeds = new HashSet<>();
        for (long seed = 0; seed < 4; seed++) {
            for (long index = 1; index <= 1000; index++) {
                seeds.add(TaskScope.streamSeed(seed, index));
            }
        }
        assertThat(seeds).as("no two (seed, index) pairs share a stream").hasSize(4000);
        // neighbouring indices must not give shifted copies of one SplittableRandom sequence
        SplittableRandom a = new SplittableRandom(TaskScope.streamSeed(1, 1));
        SplittableRandom b = new SplittableRandom(TaskScope.streamSeed(1, 2));
        long[] first = a.longs(64).toArray();
        Set<Long> second = new HashSet<>();
        b.longs(64).forEach(second::add);
        for (long x : first) {
            assertThat(second).doesNotContain(x);
        }
    }

    @Test
    void shouldGiveARunningSeededTaskItsOwnReproducibleStream() {
        TaskScope.enter(TaskEnvelope.seeded(() -> null, 9, 3));
        assertThat(DaemonContext.inTask()).isTrue();
        assertThat(DaemonContext.seed()).hasValue(9);
        assertThat(DaemonContext.taskIndex()).isEqualTo(3);
        long[] drawn = DaemonContext.random().longs(5).toArray();
        TaskScope.exit();
        assertThat(drawn)
                .containsExactly(new SplittableRandom(TaskScope.streamSeed(9, 3))
                        .longs(5)
                        .toArray());
        assertThat(DaemonContext.inTask()).isFalse();
        assertThat(DaemonContext.seed()).isEmpty();
        assertThat(DaemonContext.taskIndex()).isZero();
        assertThat(DaemonContext.random()).isNotNull();

        TaskScope.enter(null);
        assertThat(DaemonContext.seed()).isEmpty();
        assertThat(DaemonContext.random().nextLong()).isNotEqualTo(drawn[0]);
        TaskScope.exit();
    }

    @Test
    void shouldRestoreTheBaselineAfterATaskAndKeepWhatASetupCommitted() {
        DaemonContext.put("model", "v1");
        TaskScope.commitBaseline(); // after a setup
        DaemonContext.put("scratch", 1);
        DaemonContext.put("model", "changed by a task");
        TaskScope.restoreBaseline(); // cleanup after the task
        assertThat(DaemonContext.keys()).containsExactly("model");
        assertThat(DaemonContext.<String>get("model")).isEqualTo("v1");
        assertThat(DaemonContext.getOrDefault("scratch", 0)).isZero();
        assertThat(DaemonContext.remove("model")).isEqualTo("v1");
        assertThat(DaemonContext.contains("model")).isFalse();
        assertThatThrownBy(() -> DaemonContext.put("k", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DaemonContext.get(null)).isInstanceOf(NullPointerException.class);
    }
}
