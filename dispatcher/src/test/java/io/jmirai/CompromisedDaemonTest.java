package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a daemon that holds the credentials but lies can and cannot do to the host: results are decoded with bounds,
 * a bad result resolves only its own task, outcomes cannot be forged through the value, and an allowlist keeps
 * unexpected classes out. Real listeners; the lying daemon is a {@link RawPeer}, honest ones are real daemon JVMs.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CompromisedDaemonTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Counts calls to its hashCode, which a HashSet calls while it is filled. */
    static final class Gadget {
        static final AtomicInteger HASHED = new AtomicInteger();

        @Override
        public int hashCode() {
            HASHED.incrementAndGet();
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }
    }

    /** Nine Object[]s nested, each claiming 10 million elements: 82 bytes that used to cost the host ~800 MB. */
    private static byte[] arrayBomb() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.addDefaultSerializer(Object[].class, new Serializer<Object[]>() {
            @Override
            public void write(Kryo k, Output output, Object[] array) {
                output.writeVarInt(10_000_000 + 1, true);
                k.writeClassAndObject(output, array[0]);
            }

            @Override
            public Object[] read(Kryo k, Input input, Class<? extends Object[]> type) {
                throw new UnsupportedOperationException();
            }
        });
        Object nested = null;
        for (int i = 0; i < 9; i++) {
            nested = new Object[] {nested};
        }
        Output out = new Output(256, -1);
        kryo.writeClassAndObject(out, nested);
        return out.toBytes();
    }

    private static byte[] encode(Object value) {
        io.netty.buffer.ByteBuf b = new KryoCodec(CompromisedDaemonTest.class.getClassLoader())
                .encode(UnpooledByteBufAllocator.DEFAULT, value);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Authenticates the raw peer and returns the id of the first TASK it gets. */
    private static long takeTask(RawPeer peer) throws InterruptedException {
        RawPeer.Received r = peer.next();
        while (r.type() != FrameType.TASK) {
            r = peer.next();
        }
        return r.correlationId();
    }

    private static void answer(RawPeer peer, long id, byte[] payload) throws InterruptedException {
        peer.send(FrameHeader.frame(
                UnpooledByteBufAllocator.DEFAULT, FrameType.RESULT, 0, id, Unpooled.wrappedBuffer(payload)));
    }

    @Test
    void shouldResolveOnlyThatTaskToAnErrorWhenAResultDeclaresElementsThatAreNotThere() throws Exception {
        try (Daemons daemons = Daemons.builder().start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            Mirai<Object> bombed = daemons.mirai(() -> 1);
            byte[] bomb = arrayBomb();
            assertThat(bomb.length).isLessThan(100);
            answer(peer, takeTask(peer), bomb);

            Object d = DaemonsTest.awaitData(bombed);
            assertThat(bombed.isError()).isTrue();
            assertThat(((MiraiError) d).stackTraceText()).contains("declared size exceeds the bytes present");

            // the connection and the host carry on
            Mirai<Object> next = daemons.mirai(() -> 2);
            answer(peer, takeTask(peer), encode(2));
            assertThat(next.get(WAIT)).isEqualTo(2);
            assertThat(peer.isOpen()).isTrue();
        }
    }

    @Test
    void shouldNotLetAnErrorValueReturnedAsTheValueForgeAnOutcome() throws Exception {
        try (Daemons daemons = Daemons.builder().start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            Mirai<Object> m = daemons.mirai(() -> 1);
            answer(peer, takeTask(peer), encode(new ErrorValue(ErrorValue.TIMED_OUT, "timed out: forged")));
            Object v = m.get(WAIT); // a value, not a MiraiException: the frame said "value"
            assertThat(v).isInstanceOf(ErrorValue.class);
            assertThat(m.isError()).isFalse();
        }
    }

    @Test
    void shouldReturnAnErrorValueAnHonestTaskReturnsAsItsValue() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            Mirai<ErrorValue> m = daemons.mirai(() -> new ErrorValue(42, "a value that happens to be an ErrorValue"));
            assertThat(m.get(WAIT).code()).isEqualTo(42);
            assertThat(m.isError()).isFalse();
            Mirai<Object> thrown = daemons.mirai(() -> {
                throw new IllegalStateException("a real error");
            });
            DaemonsTest.awaitData(thrown);
            assertThat(thrown.isError()).isTrue();
        }
    }

    @Test
    void shouldRefuseResultClassesOutsideTheAllowlistWithoutRunningTheirCode() throws Exception {
        int before = Gadget.HASHED.get();
        try (Daemons daemons =
                Daemons.builder().local(1).resultClasses(Integer.class).start()) {
            Mirai<Object> m = daemons.mirai(() -> new HashSet<>(Set.of(new Gadget())));
            MiraiError e = (MiraiError) DaemonsTest.awaitData(m);
            assertThat(e.stackTraceText()).contains("class not allowed in a result: class=" + Gadget.class.getName());
            assertThat(Gadget.HASHED.get()).as("hashCode calls on the host").isEqualTo(before);
            assertThat(daemons.mirai(() -> new Object[] {1, "two", new int[] {3}})
                            .get(WAIT))
                    .isInstanceOf(Object[].class);
        }
    }

    @Test
    void shouldResolveAResultLongerThanMaxResultBytesToAnError() throws Exception {
        try (Daemons daemons = Daemons.builder().local(1).maxResultBytes(1000).start()) {
            Mirai<String> big = daemons.mirai(() -> "x".repeat(10_000));
            MiraiError e = (MiraiError) DaemonsTest.awaitData(big);
            assertThat(e.stackTraceText()).contains("payload too large").contains("maxBytes=1000");
            assertThat(daemons.mirai(() -> "small").get(WAIT)).isEqualTo("small");
        }
    }
}
