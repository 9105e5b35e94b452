package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** {@link Frame#from}: what every handler after the decoder reads. */
class FrameFromTest {
    @Test
    void shouldPassAFrameAndReleaseAndRefuseAnythingElse() {
        Frame frame = new Frame(FrameType.TASK, 0, 7, Unpooled.buffer(1));
        try {
            assertThat(Frame.from(frame)).isSameAs(frame);
        } finally {
            frame.release();
        }
        ByteBuf raw = Unpooled.buffer(4);
        assertThatThrownBy(() -> Frame.from(raw))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("unexpected message: ");
        assertThat(raw.refCnt()).as("released before refusing").isZero();
    }
}
