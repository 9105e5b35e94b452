package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retiring daemons ({@link PoolSizing} with the FIFO policy and {@link TaskLifecycle}) by plain calls over
 * {@link EmbeddedChannel}s: which daemons are chosen, that a retiring one gets no new task, and that it is told to
 * exit (GOODBYE {@code RETIRED}) only once nothing is in flight.
 */
@Timeout(10)
class PoolSizingTest {
    private static final ListenUrl BASE = ListenUrl.parse("tcp://127.0.0.1:5555");

    private final EmbeddedChannel clock = new EmbeddedChannel();
    private final List<DaemonConnection> daemons = new ArrayList<>();
    private final List<TaskRecord> records = new ArrayList<>();
    private final List<Integer> retiredSlots = new ArrayList<>();
    private final PoolSizing sizing = new PoolSizing();
    private final TaskLifecycle tasks =
            new TaskLifecycle(clock.eventLoop(), false, 1, Duration.ofSeconds(5), (c, r) -> {}, DispatchEvents.NOOP);

    @AfterEach
    void releaseEverything() {
        tasks.close(daemons);
        for (DaemonConnection conn : daemons) {
            ((EmbeddedChannel) conn.channel()).finishAndReleaseAll();
        }
        clock.finishAndReleaseAll();
        for (TaskRecord r : records) {
            assertThat(r.payload().refCnt()).isZero();
        }
    }

    private DaemonConnection connect(int slot) {
        DaemonConnection conn = new DaemonConnection(null);
        conn.attachAuthenticated(
                new EmbeddedChannel(), new SlotRegistry.SlotRow(String.valueOf(slot), slot, BASE), 100 + slot);
        daemons.add(conn);
        tasks.connected(conn);
        return conn;
    }

    private TaskRecord submit(long id) {
        TaskRecord r = new TaskRecord(id, Unpooled.wrappedBuffer(new byte[] {1}), o -> {});
        records.add(r);
        tasks.submit(r);
        return r;
    }

    /**
     * @return "TYPE:id" or "GOODBYE:code" of every frame sent to {@code conn} since the last call (after the end of the
     *     loop's pass, which flushes what was written)
     */
    private List<String> sent(DaemonConnection conn) {
        clock.runPendingTasks();
        EmbeddedChannel ch = (EmbeddedChannel) conn.channel();
        List<String> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = ch.readOutbound()) != null) {
            try {
                FrameType type = FrameType.fromCode(frame.getByte(5));
                frames.add(
                        type == FrameType.GOODBYE
                                ? "GOODBYE:" + frame.getUnsignedShort(FrameHeader.LENGTH)
                                : type + ":" + frame.getLong(8));
            } finally {
                frame.release();
            }
        }
        return frames;
    }

    private int retire(int n, Duration minIdle, int keep) {
        return sizing.retire(daemons, tasks.policy(), n, minIdle, keep, retiredSlots::add);
    }

    @Test
    void shouldRetireIdleDaemonsFirstAndTellThemToExitAtOnce() {
        DaemonConnection busy = connect(1);
        submit(1);
        assertThat(sent(busy)).containsExactly("TASK:1");
        DaemonConnection idle = connect(2);

        assertThat(retire(1, null, 0)).isEqualTo(1);
        assertThat(retiredSlots).containsExactly(2);
        assertThat(sent(idle)).containsExactly("GOODBYE:" + Handshake.Goodbye.RETIRED);
        assertThat(idle.takesTasks()).isFalse();
        assertThat(busy.takesTasks()).isTrue();
    }

    @Test
    void shouldLetABusyDaemonFinishItsTaskAndGiveItNoOther() {
        DaemonConnection d = connect(1);
        submit(1);
        submit(2);
        assertThat(sent(d)).containsExactly("TASK:1");

        assertThat(retire(1, null, 0)).isEqualTo(1);
        assertThat(sent(d)).as("nothing while its task runs").isEmpty();
        tasks.result(d, 1, new Outcome.Result(0, new byte[0]));
        sizing.closeIfRetired(d);
        assertThat(sent(d)).as("no new task; told to exit").containsExactly("GOODBYE:" + Handshake.Goodbye.RETIRED);
        assertThat(tasks.counters().awaiting()).as("the other task still waits").isEqualTo(1);
    }

    @Test
    void shouldKeepTheMinimumAndOnlyRetireDaemonsIdleLongEnough() {
        connect(1);
        connect(2);
        connect(3);
        assertThat(retire(10, Duration.ofHours(1), 0)).as("none idle that long").isZero();
        assertThat(retire(10, Duration.ZERO, 2)).as("down to keep").isEqualTo(1);
        assertThat(retire(10, null, 2)).isZero();
        assertThat(daemons.stream().filter(DaemonConnection::takesTasks)).hasSize(2);
    }

    @Test
    void shouldReportTheTargetAndKeepOnlyRecentLaunchFailures() {
        assertThat(sizing.expectedOr(3)).isEqualTo(3);
        sizing.target(5);
        assertThat(sizing.expectedOr(3)).isEqualTo(5);
        for (int i = 0; i < 20; i++) {
            sizing.launchFailed("failure " + i);
        }
        assertThat(sizing.launchFailures()).hasSize(16).startsWith("failure 4").endsWith("failure 19");
    }
}
