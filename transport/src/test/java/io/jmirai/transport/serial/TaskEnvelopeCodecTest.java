package io.jmirai.transport.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.MapFunction;
import io.jmirai.api.Task;
import io.jmirai.api.internal.MapCall;
import io.jmirai.api.internal.TaskEnvelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The envelope and map call the host sends, through the codec the daemon decodes them with. */
class TaskEnvelopeCodecTest {
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
