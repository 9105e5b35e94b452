package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.Task;
import io.jmirai.transport.protocol.Capabilities;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.TaskTrace;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a {@link TaskObserver}'s trace context costs on the wire, seen by a {@link RawPeer} daemon on a real listener:
 * without an observer a TASK frame is exactly the task's bytes (no flag, no prefix); with one, a peer that advertised
 * {@code TRACE_CONTEXT} gets the {@link TaskTrace} prefix (context and its daemon id) in front of the same bytes, and
 * a peer that did not (an older daemon) gets the frame as it was. The observer hears of dispatch and resolution.
 */
@Tag("integration")
@Timeout(60)
@ExtendWith(LeakCheck.class)
class TraceContextWireTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final Task<Integer> TASK = () -> 42;

    private final List<String> events = new CopyOnWriteArrayList<>();

    private final TaskObserver observer = new TaskObserver() {
        @Override
        public String taskSubmitted(long taskId) {
            events.add("submitted " + taskId + " on " + Thread.currentThread().getName());
            return TRACEPARENT;
        }

        @Override
        public void taskDispatched(long taskId, String daemonId) {
            events.add("dispatched " + taskId + " to " + daemonId);
        }

        @Override
        public void taskResolved(long taskId, int outcomeCode) {
            events.add("resolved " + taskId + " " + outcomeCode);
        }
    };

    /** @return the TASK frame the peer got for one task, answered with 42 and awaited */
    private static RawPeer.Received roundTrip(Daemons.Builder builder, Capabilities advertised) throws Exception {
        try (Daemons daemons = builder.start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0, advertised).type())
                    .isEqualTo(FrameType.WELCOME);
            Mirai<Integer> m = daemons.mirai(TASK);
            RawPeer.Received task = peer.next();
            while (task.type() != FrameType.TASK) {
                task = peer.next();
            }
            ByteBuf value = new KryoCodec(TraceContextWireTest.class.getClassLoader())
                    .encode(UnpooledByteBufAllocator.DEFAULT, 42);
            peer.send(FrameHeader.frame(
                    UnpooledByteBufAllocator.DEFAULT, FrameType.RESULT, 0, task.correlationId(), value));
            assertThat(m.get(WAIT)).isEqualTo(42);
            return task;
        }
    }

    @Test
    void shouldCarryNothingWithoutAnObserverAndThePrefixOnlyToAPeerThatAdvertisedIt() throws Exception {
        RawPeer.Received plain = roundTrip(Daemons.builder(), Capabilities.supported());
        assertThat(plain.flags()).as("no observer: no flag").isZero();
        byte[] taskBytes = plain.payload();

        RawPeer.Received traced = roundTrip(Daemons.builder().observer(observer), Capabilities.supported());
        assertThat(traced.flags()).isEqualTo(FrameType.Flags.TASK_TRACE_CONTEXT);
        ByteBuf payload = Unpooled.wrappedBuffer(traced.payload());
        TaskTrace trace = TaskTrace.decode(payload);
        assertThat(trace.context()).isEqualTo(TRACEPARENT);
        assertThat(ByteBufUtil.getBytes(payload))
                .as("the task's bytes follow unchanged")
                .isEqualTo(taskBytes);
        assertThat(traced.payload().length)
                .as("the cost: two length bytes, the context and the daemon id")
                .isEqualTo(taskBytes.length
                        + 2
                        + TRACEPARENT.length()
                        + trace.daemonId().length());
        assertThat(events)
                .containsExactly(
                        "submitted 1 on " + Thread.currentThread().getName(),
                        "dispatched 1 to " + trace.daemonId(),
                        "resolved 1 0");

        RawPeer.Received old = roundTrip(Daemons.builder().observer(observer), Capabilities.NONE);
        assertThat(old.flags()).as("an older daemon never gets the flag").isZero();
        assertThat(Arrays.equals(old.payload(), taskBytes))
                .as("an older daemon gets the frame as it was")
                .isTrue();
    }
}
