package io.jmirai.transport.protocol;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an authenticated connection alive and detects a dead peer that never closed it (a frozen process, a machine
 * gone from the network): sends a HEARTBEAT frame whenever nothing was written for one interval, and closes the
 * connection when nothing at all was read for three. Both sides run it, so each receives something at least once per
 * interval. Added after the scheme's prefix, so its frames go through TLS and WebSocket like any other.
 *
 * <p>Cheap on the data path: a write only records the time (no listener on its promise, unlike Netty's
 * {@code IdleStateHandler}, and void promises stay void), a read batch likewise; two timers, each re-armed for the
 * time left, do the checking.
 *
 * <p>Threading: confined to the channel's event loop.
 */
public final class HeartbeatHandler extends ChannelDuplexHandler {
    /** Intervals of silence after which the peer is taken for dead. */
    public static final int MISSED_INTERVALS = 3;

    private final long intervalNanos;
    private final long intervalMillis;
    private Ticker ticker = Ticker.systemTicker();
    private long sequence;
    private long lastWrite;
    private long lastRead;
    private Future<?> writerCheck;
    private Future<?> readerCheck;
    private boolean started;

    /** @param intervalMillis the heartbeat interval, > 0 */
    public HeartbeatHandler(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("intervalMillis : " + intervalMillis + " (expected: > 0)");
        }
        this.intervalMillis = intervalMillis;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastRead = ticker.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWrite = ticker.nanoTime();
        ctx.write(msg, promise);
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        if (ctx.executor() instanceof AbstractScheduledEventExecutor e) {
            ticker = e.ticker();
        }
        long now = ticker.nanoTime();
        lastWrite = now;
        lastRead = now;
        writerCheck = ctx.executor().schedule(() -> checkWriter(ctx), intervalNanos, TimeUnit.NANOSECONDS);
        readerCheck =
                ctx.executor().schedule(() -> checkReader(ctx), MISSED_INTERVALS * intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        started = true; // never (re)start after removal or close
        if (writerCheck != null) {
            writerCheck.cancel(false);
            writerCheck = null;
        }
        if (readerCheck != null) {
            readerCheck.cancel(false);
            readerCheck = null;
        }
    }

    private void checkWriter(ChannelHandlerContext ctx) {
        if (writerCheck == null || !ctx.channel().isOpen()) {
            return;
        }
        long left = intervalNanos - (ticker.nanoTime() - lastWrite);
        if (left <= 0) {
            ctx.writeAndFlush(FrameHeader.frame(ctx.alloc(), FrameType.HEARTBEAT, 0, ++sequence, null))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            left = intervalNanos;
        }
        writerCheck = ctx.executor().schedule(() -> checkWriter(ctx), left, TimeUnit.NANOSECONDS);
    }

    private void checkReader(ChannelHandlerContext ctx) {
        if (readerCheck == null || !ctx.channel().isOpen()) {
            return;
        }
        long left = MISSED_INTERVALS * intervalNanos - (ticker.nanoTime() - lastRead);
        if (left <= 0) {
            readerCheck = null;
            ctx.fireExceptionCaught(new ProtocolException("heartbeat timeout: nothing received for "
                    + MISSED_INTERVALS * intervalMillis + " ms, intervalMillis=" + intervalMillis));
            ctx.close();
            return;
        }
        readerCheck = ctx.executor().schedule(() -> checkReader(ctx), left, TimeUnit.NANOSECONDS);
    }
}
