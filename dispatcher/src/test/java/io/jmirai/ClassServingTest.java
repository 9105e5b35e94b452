package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.transport.protocol.ClassFrames;
import io.jmirai.transport.protocol.FrameType;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The host's side of remote class loading seen from a hand-driven peer ({@link RawPeer}), so that the host's own
 * checks are tested, not the daemon's: it answers only an authenticated peer on a connection that negotiated
 * {@code CLASS_LOADING}, and serves only class files.
 */
@Tag("integration")
@Timeout(60)
@ExtendWith(LeakCheck.class)
class ClassServingTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static ClassFrames.ClassAnswer ask(RawPeer peer, long requestId, String name) throws Exception {
        peer.send(new ClassFrames.ClassRequest(0, name).frame(ALLOC, requestId));
        RawPeer.Received r = peer.next();
        while (r.type() == FrameType.HEARTBEAT) {
            r = peer.next();
        }
        assertThat(r.type()).isEqualTo(FrameType.CLASS_BYTES);
        assertThat(r.correlationId()).isEqualTo(requestId);
        return ClassFrames.ClassAnswer.decode(r.flags(), Unpooled.wrappedBuffer(r.payload()));
    }

    @Test
    void shouldServeClassFilesAndNothingElseToAnAuthenticatedPeer() throws Exception {
        byte[] values;
        try (InputStream in = ClassServingTest.class.getResourceAsStream("Values.class")) {
            values = in.readAllBytes();
        }
        try (Daemons daemons = Daemons.builder().start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);

            ClassFrames.ClassAnswer found = ask(peer, 1, "io.jmirai.Values");
            assertThat(found.isFound()).isTrue();
            assertThat(found.bytes()).isEqualTo(values);

            List<String> refused = new ArrayList<>();
            String[] names = {
                "META-INF/MANIFEST.MF",
                "META-INF.MANIFEST.MF",
                "io/jmirai/shipping.properties",
                "io.jmirai.shipping.properties",
                "io.jmirai.shipping",
                "..io.jmirai.Values",
                "java.lang.String",
                "javax.net.SocketFactory",
            };
            long id = 2;
            for (String name : names) {
                ClassFrames.ClassAnswer a = ask(peer, id++, name);
                assertThat(a.isFound()).as(name).isFalse();
                refused.add(a.notFound());
            }
            assertThat(refused)
                    .containsExactly(
                            "not a binary name (character '-' at 4): name=META-INF/MANIFEST.MF",
                            "not a binary name (character '-' at 4): name=META-INF.MANIFEST.MF",
                            "not a binary name (character '/' at 2): name=io/jmirai/shipping.properties",
                            "not found by the task's class loader on the host: name=io.jmirai.shipping.properties",
                            "not found by the task's class loader on the host: name=io.jmirai.shipping",
                            "not a binary name (empty segment): name=..io.jmirai.Values",
                            "java.* classes are never served: name=java.lang.String",
                            "JDK classes are not served (the daemon's JDK has its own): name=javax.net.SocketFactory");
            assertThat(ask(peer, id, "a".repeat(ClassFrames.MAX_NAME_BYTES)).notFound())
                    .as("the longest name; a reason is cut to its limit")
                    .startsWith("not found by the task's class loader on the host: name=aaa")
                    .hasSizeLessThanOrEqualTo(ClassFrames.MAX_REASON_BYTES);
            assertThat(peer.isOpen()).as("refusals are answers, not errors").isTrue();
        }
    }

    @Test
    void shouldCloseAConnectionThatAsksForAClassBeforeAuthenticating() throws Exception {
        try (Daemons daemons = Daemons.builder().start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.next().type()).isEqualTo(FrameType.CHALLENGE);
            peer.send(new ClassFrames.ClassRequest(0, "io.jmirai.Values").frame(ALLOC, 1));
            assertThat(peer.awaitClosed()).isTrue();
        }
    }

    @Test
    void shouldCloseAConnectionThatAsksForAClassWhenTheHostShipsNone() throws Exception {
        try (Daemons daemons = Daemons.builder().shipClasses(false).start();
                RawPeer peer = new RawPeer(daemons.url())) {
            assertThat(peer.authenticate(daemons.secret(), 0).type()).isEqualTo(FrameType.WELCOME);
            peer.send(new ClassFrames.ClassRequest(0, "io.jmirai.Values").frame(ALLOC, 1));
            assertThat(peer.awaitClosed())
                    .as("a frame type the connection did not negotiate is a protocol error")
                    .isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> daemons.status().connections() == 0);
        }
    }
}
