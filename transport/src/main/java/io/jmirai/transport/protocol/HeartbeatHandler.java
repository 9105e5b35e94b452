package io.jmirai.transport.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an authenticated connection alive and detects a dead peer that never closed it (a frozen process, a machine
 * gone from the network): sends a HEARTBEAT frame whenever nothing was written for one interval, and closes the
 * connection when nothing at all was read for three. Both sides run it, so each receives something at least once per
 * interval. Added after the scheme's prefix, so its frames go through TLS and WebSocket like any other. Confined to the
 * channel's event loop.
 */
public final class HeartbeatHandler extends IdleStateHandler {
    /** Intervals of silence after which the peer is taken for dead. */
    public static final int MISSED_INTERVALS = 3;

    private final long intervalMillis;
    private long sequence;

    /** @param intervalMillis the heartbeat interval, > 0 */
    public HeartbeatHandler(long intervalMillis) {
        super(MISSED_INTERVALS * intervalMillis, intervalMillis, 0, TimeUnit.MILLISECONDS);
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("intervalMillis : " + intervalMillis + " (expected: > 0)");
        }
        this.intervalMillis = intervalMillis;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() == IdleState.WRITER_IDLE) {
            ctx.writeAndFlush(FrameHeader.frame(ctx.alloc(), FrameType.HEARTBEAT, 0, ++sequence, null))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else if (evt.state() == IdleState.READER_IDLE) {
            ctx.fireExceptionCaught(new ProtocolException("heartbeat timeout: nothing received for "
                    + MISSED_INTERVALS * intervalMillis + " ms, intervalMillis=" + intervalMillis));
            ctx.close();
        }
    }
}
