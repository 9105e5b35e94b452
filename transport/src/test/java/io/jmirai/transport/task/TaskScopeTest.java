package io.jmirai.transport.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.DaemonContext;
import io.jmirai.MapFunction;
import io.jmirai.Task;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The daemon-side task state behind {@link DaemonContext}, and the envelope and map call the host sends. */
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

    @Test
    void shouldRoundTripAnEnvelopeAndAMapCallThroughKryo() throws Exception {
        KryoCodec codec = new KryoCodec(getClass().getClassLoader());
        int base = 40;
        Task<Integer> task = () -> base + 2;
        ByteBuf buf = codec.encode(UnpooledByteBufAllocator.DEFAULT, TaskEnvelope.seeded(task, 5, 11));
        TaskEnvelope e;
        try {
            e = (TaskEnvelope) codec.decode(buf);
        } finally {
            buf.release();
        }
        assertThat(e.seeded()).isTrue();
        assertThat(e.seed()).isEqualTo(5);
        assertThat(e.index()).isEqualTo(11);
        assertThat(e.setup()).isFalse();
        assertThat(e.task().call()).isEqualTo(42);
        assertThat(TaskEnvelope.setup(task).setup()).isTrue();

        MapFunction.WithArgs<Integer, String> fn = (x, args) -> args[0] + "" + x;
        buf = codec.encode(UnpooledByteBufAllocator.DEFAULT, MapCall.of(fn, 3, new Object[] {"n="}));
        Callable<?> call;
        try {
            call = (Callable<?>) codec.decode(buf);
        } finally {
            buf.release();
        }
        assertThat(call.call()).isEqualTo("n=3");
        MapFunction<List<Integer>, Integer> size = List::size;
        assertThat(MapCall.of(size, List.of(1, 2)).call()).isEqualTo(2);
    }
}
