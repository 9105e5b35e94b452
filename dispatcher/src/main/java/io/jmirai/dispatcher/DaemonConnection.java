package io.jmirai.dispatcher;

import io.jmirai.transport.TransportReady;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.HeartbeatHandler;
import io.jmirai.transport.protocol.Negotiated;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One daemon's connection, host side: the handshake (nothing but a HELLO is read before the daemon has proved the
 * secret), then RESULT frames for the tasks sent to it (one at a time through the dispatcher's queue; several in
 * direct mode). Confined to the dispatcher's event loop.
 */
final class DaemonConnection extends ChannelInboundHandlerAdapter {
    private final Dispatcher dispatcher;
    private Channel channel;
    private Handshake.Challenge challenge;
    private String path = "";
    private ScheduledFuture<?> handshakeDeadline;
    private boolean authenticated;
    private boolean counted;
    private java.net.SocketAddress remote; // where it came from, for the per-source admission limit
    SlotRegistry.SlotRow row;
    long pid;
    /** Tasks sent and not yet answered, in send order; resolved ones stay until their late RESULT arrives. */
    final LinkedHashMap<Long, TaskRecord> inflight = new LinkedHashMap<>();
    /** Tasks for this daemon only ({@code everywhere} setups), served before the shared queue. */
    final ArrayDeque<TaskRecord> pinned = new ArrayDeque<>();
    /** Being closed because a cancelled task ignored its interrupt: gets no more tasks. */
    boolean recycling;
    /** What the handshake settled; null until then. */
    private Negotiated negotiated;

    DaemonConnection(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    Channel channel() {
        return channel;
    }

    /**
     * Binds this handler, as authenticated, to a channel it is not a handler of: lets the task state machine
     * ({@link TaskLifecycle}) be driven without a socket or a handshake, e.g. over an {@code EmbeddedChannel}.
     */
    void attachAuthenticated(Channel ch, SlotRegistry.SlotRow slotRow, long daemonPid) {
        this.channel = ch;
        this.row = slotRow;
        this.pid = daemonPid;
        this.authenticated = true;
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    /** @return what the handshake settled (version, capabilities), or null before it is done */
    Negotiated negotiated() {
        return negotiated;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = channel.remoteAddress();
        if (!dispatcher.admitUnauthenticated(remote)) {
            ctx.close();
            return;
        }
        counted = true;
        // One deadline for the TLS handshake, the WebSocket upgrade and the authentication together.
        handshakeDeadline = ctx.executor()
                .schedule(
                        () -> {
                            if (!authenticated) {
                                ctx.close();
                            }
                        },
                        dispatcher.config().handshakeTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof TransportReady ready && challenge == null && channel != null && counted) {
            path = ready.path();
            challenge = new Handshake.Challenge(Handshake.newNonce());
            ctx.writeAndFlush(FrameHeader.frame(ctx.alloc(), FrameType.CHALLENGE, 0, 0, challenge.encode(ctx.alloc())))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            throw new ProtocolException("unexpected message: " + msg.getClass().getSimpleName());
        }
        try {
            if (!authenticated) {
                handshake(ctx, frame);
                return;
            }
            negotiated.checkReceived(frame.type());
            switch (frame.type()) {
                case RESULT -> {
                    recycling |= (frame.flags() & FrameType.Flags.RESULT_LAST) != 0; // exits next: send it nothing
                    dispatcher.result(
                            this,
                            frame.correlationId(),
                            new Outcome.Result(frame.flags(), ByteBufUtil.getBytes(frame.payload())));
                }
                case HEARTBEAT -> {}
                case GOODBYE -> ctx.close();
                default -> throw new ProtocolException("unexpected frame from daemon: type=" + frame.type());
            }
        } finally {
            frame.release();
        }
    }

    private void handshake(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != FrameType.HELLO || challenge == null) {
            throw new ProtocolException("expected HELLO: type=" + frame.type());
        }
        Handshake.Hello hello = Handshake.Hello.decode(frame.payload());
        if (!hello.verify(dispatcher.config().secret(), challenge)) {
            goodbye(ctx.channel(), Handshake.Goodbye.AUTHENTICATION_FAILED, "authentication failed");
            return;
        }
        int max = dispatcher.config().maxFrameLength();
        int heartbeat = (int) dispatcher.config().heartbeat().toMillis();
        // Before the slot is claimed: a daemon that speaks no version of ours is refused here, changing nothing.
        Handshake.Welcome welcome =
                Handshake.Welcome.accept(dispatcher.config().secret(), challenge, hello, max, heartbeat);
        String refusal = dispatcher.claimSlot(this, hello.slot(), hello.token(), path);
        if (refusal != null) {
            goodbye(ctx.channel(), Handshake.Goodbye.REJECTED, refusal);
            return;
        }
        authenticated = true;
        negotiated = Negotiated.of(hello, welcome);
        pid = hello.pid();
        release();
        handshakeDeadline.cancel(false);
        ctx.pipeline().get(FrameDecoder.class).maxFrameLength(max);
        if (heartbeat > 0) {
            ctx.pipeline().addAfter("ready", "heartbeat", new HeartbeatHandler(heartbeat));
        }
        ctx.writeAndFlush(FrameHeader.frame(ctx.alloc(), FrameType.WELCOME, 0, 0, welcome.encode(ctx.alloc())))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        dispatcher.connected(this);
    }

    private static void goodbye(Channel ch, int code, String reason) {
        ch.writeAndFlush(FrameHeader.frame(
                        ch.alloc(), FrameType.GOODBYE, 0, 0, new Handshake.Goodbye(code, reason).encode(ch.alloc())))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Sends a TASK frame for {@code task}; the record keeps its own reference to the payload, and gives back its
     * queue room once the frame is written (or has failed to be).
     */
    void send(TaskRecord task) {
        task.payload().touch("Dispatcher.assign");
        channel.writeAndFlush(FrameHeader.frame(
                        channel.alloc(),
                        FrameType.TASK,
                        0,
                        task.id(),
                        task.payload().retainedDuplicate()))
                .addListener(f -> task.releaseGate())
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Asks the daemon to interrupt (or drop, if it has not started) task {@code id}. */
    void cancel(long id) {
        if (channel.isActive()) {
            channel.writeAndFlush(FrameHeader.frame(channel.alloc(), FrameType.CANCEL, 0, id, null))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    /** Says goodbye and closes. */
    void close(String reason) {
        if (channel != null && channel.isActive()) {
            goodbye(channel, Handshake.Goodbye.NORMAL, reason);
        }
    }

    private void release() {
        if (counted) {
            counted = false;
            dispatcher.releaseUnauthenticated(remote);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
        if (authenticated) {
            dispatcher.disconnected(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = ProtocolException.unwrap(cause);
        dispatcher.connectionError(this, c);
        ctx.close();
    }
}
