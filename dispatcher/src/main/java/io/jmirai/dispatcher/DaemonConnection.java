package io.jmirai.dispatcher;

import io.jmirai.transport.TransportReady;
import io.jmirai.transport.protocol.Capabilities;
import io.jmirai.transport.protocol.Capability;
import io.jmirai.transport.protocol.ClassFrames;
import io.jmirai.transport.protocol.Extensions;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.HeartbeatHandler;
import io.jmirai.transport.protocol.Negotiated;
import io.jmirai.transport.protocol.ProtocolException;
import io.jmirai.transport.protocol.TaskTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon's connection, host side: the handshake (nothing but a HELLO is read before the daemon has proved the
 * secret), then RESULT frames for the tasks sent to it (one at a time through the dispatcher's queue; several in
 * direct mode). Confined to the dispatcher's event loop.
 */
final class DaemonConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonConnection.class);

    private final Dispatcher dispatcher;
    /** Why the connection ended, for the log: the first reason known wins. Never holds the secret or a token. */
    private String closeReason;
    /** The host closed it (goodbye, recycle, regenerate): not a loss to warn about. */
    private boolean closedByHost;

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
    /** Payload bytes of the tasks in {@link #inflight} (for the prefetch byte limit). */
    long inflightBytes;
    /** Tasks for this daemon only ({@code everywhere} setups), served before the shared queue. */
    final ArrayDeque<TaskRecord> pinned = new ArrayDeque<>();
    /** Being closed because a cancelled task ignored its interrupt: gets no more tasks. */
    boolean recycling;
    /** Retired by scaling down: gets no more tasks, and is closed once nothing is in flight. */
    boolean retiring;
    /** When this daemon last had nothing in flight ({@link System#nanoTime()}), for retiring idle daemons. */
    long idleSince = System.nanoTime();
    /**
     * The daemon said it exits by a limit (GOODBYE {@code LIMIT_REACHED}, sent after its last RESULT): it runs
     * nothing now and gets no more tasks, so every task still unanswered there never started.
     */
    boolean finishing;
    /** Has frames written but not flushed ({@link WriteBatch}). */
    boolean dirty;
    // The links of the one DaemonList this connection is in, if any (PrefetchScheduling's idle and room lists).
    DaemonList list;
    DaemonConnection listPrev;
    DaemonConnection listNext;
    /** The handshake negotiated {@code Capability.RECALL}: the host may take back tasks the daemon has not started. */
    boolean recalls;
    /** What the handshake settled; null until then. */
    private Negotiated negotiated;
    /**
     * Set on a client: this "daemon" is the connection to a server ({@link ServerLink}), which forwards the tasks to
     * its own daemons, answers REPLY and FAILURE frames too, and is never recycled. Null on a host.
     */
    ServerLink upstream;
    /** Answers remote class loading's requests; null unless the connection negotiated it. */
    private ClassServer classes;

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

    /** Binds this handler, as authenticated, to a client's connection to a server (see {@link #upstream}). */
    void attachUpstream(Channel ch, Negotiated settled, ServerLink link) {
        this.channel = ch;
        this.negotiated = settled;
        this.upstream = link;
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
            dispatcher.refused(ctx.channel(), "too many connections authenticating at once");
            ctx.close();
            return;
        }
        counted = true;
        // One deadline for the TLS handshake, the WebSocket upgrade and the authentication together.
        handshakeDeadline = ctx.executor()
                .schedule(
                        () -> {
                            if (!authenticated) {
                                dispatcher.refused(ctx.channel(), "handshake timed out");
                                closeReason = "handshake timed out";
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
        Frame frame = Frame.from(msg);
        try {
            if (!authenticated) {
                handshake(ctx, frame);
                return;
            }
            negotiated.checkReceived(frame.type());
            switch (frame.type()) {
                case RESULT -> {
                    if (!recalls && (frame.flags() & FrameType.Flags.RESULT_RECALLED) != 0) {
                        throw new ProtocolException("RESULT flagged recalled on a connection that did not negotiate"
                                + " RECALL: task=" + frame.correlationId());
                    }
                    recycling |= (frame.flags() & FrameType.Flags.RESULT_LAST) != 0; // exits next: send it nothing
                    dispatcher.result(
                            this,
                            frame.correlationId(),
                            new Outcome.Result(frame.flags(), ByteBufUtil.getBytes(frame.payload())));
                }
                case FAILURE -> {
                    requireUpstream(frame.type());
                    ByteBuf p = frame.payload();
                    if (p.readableBytes() < 4) {
                        throw new ProtocolException("truncated FAILURE: readable=" + p.readableBytes());
                    }
                    int code = p.readInt();
                    dispatcher.result(
                            this,
                            frame.correlationId(),
                            new Outcome.Failure(code, p.toString(java.nio.charset.StandardCharsets.UTF_8)));
                }
                case REPLY -> {
                    requireUpstream(frame.type());
                    upstream.reply(frame.correlationId(), frame.flags(), ByteBufUtil.getBytes(frame.payload()));
                }
                case HEARTBEAT -> {}
                case CLASS_REQUEST -> {
                    ClassFrames.ClassRequest request = ClassFrames.ClassRequest.decode(frame.payload());
                    TaskRecord task = request.taskId() == 0 ? null : inflight.get(request.taskId());
                    classes.request(
                            ctx.channel(), frame.correlationId(), request, task == null ? null : task.classLoader());
                }
                case GOODBYE -> {
                    // a daemon leaving by its own limit: every task still waiting there goes back to the queue
                    ByteBuf goodbye = frame.payload();
                    finishing = goodbye.readableBytes() >= 2
                            && goodbye.getUnsignedShort(goodbye.readerIndex()) == Handshake.Goodbye.LIMIT_REACHED;
                    noteClose("daemon said goodbye: " + goodbyeReason(frame));
                    ctx.close();
                }
                default -> throw new ProtocolException("unexpected frame from daemon: type=" + frame.type());
            }
        } finally {
            frame.release();
        }
    }

    private void requireUpstream(FrameType type) {
        if (upstream == null) {
            throw new ProtocolException("frame type only a server sends its client: type=" + type);
        }
    }

    private void handshake(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != FrameType.HELLO || challenge == null) {
            throw new ProtocolException("expected HELLO: type=" + frame.type());
        }
        Handshake.Hello hello = Handshake.Hello.decode(frame.payload());
        if (!hello.verify(dispatcher.config().secret(), challenge)) {
            dispatcher.refused(ctx.channel(), "authentication failed: slot=" + hello.slot() + ", pid=" + hello.pid());
            closeReason = "authentication failed";
            goodbye(ctx.channel(), Handshake.Goodbye.AUTHENTICATION_FAILED, "authentication failed");
            return;
        }
        int max = dispatcher.config().maxFrameLength();
        int heartbeat = (int) dispatcher.config().heartbeat().toMillis();
        if (hello.capabilities().has(Capability.CLIENT)) {
            acceptClient(ctx, hello, max, heartbeat);
            return;
        }
        // Before the slot is claimed: a daemon that speaks no version of ours is refused here, changing nothing.
        ClassLoader classSource = dispatcher.config().classSource();
        Capabilities advertised = classSource != null
                ? Capabilities.supported()
                : Capabilities.supported().without(Capability.CLASS_LOADING); // shipClasses(false)
        Handshake.Welcome welcome = Handshake.Welcome.accept(
                dispatcher.config().secret(), challenge, hello, max, heartbeat, advertised, Extensions.NONE);
        String refusal = dispatcher.claimSlot(this, hello.slot(), hello.token(), path);
        if (refusal != null) {
            dispatcher.refused(ctx.channel(), refusal + ", pid=" + hello.pid()); // refusals never name the token
            closeReason = refusal;
            goodbye(ctx.channel(), Handshake.Goodbye.REJECTED, refusal);
            return;
        }
        authenticated = true;
        negotiated = Negotiated.of(hello, welcome);
        recalls = negotiated.has(Capability.RECALL);
        if (negotiated.has(Capability.CLASS_LOADING)) {
            classes = new ClassServer(classSource, max);
        }
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
        LOG.info(
                "daemon connected: daemon={}, pid={}, remote={}",
                row.id,
                pid,
                ctx.channel().remoteAddress());
    }

    /**
     * A client authenticated (its HELLO carries {@link Capability#CLIENT}, covered by its proof): admitted only by a
     * host with a {@link ClientService} and only with the session secret itself (slot 0, no token), so a daemon
     * holding a per-slot key cannot pass for a client. The channel then goes to a {@link ClientConnection}.
     */
    private void acceptClient(ChannelHandlerContext ctx, Handshake.Hello hello, int max, int heartbeat) {
        ClientService service = dispatcher.clientService();
        String refusal = service == null
                ? "this host accepts no clients (only a jmirai server does)"
                : hello.slot() != 0 || !hello.token().isEmpty()
                        ? "a client proves the session secret itself (slot 0, no token): slot=" + hello.slot()
                        : null;
        if (refusal != null) {
            dispatcher.refused(ctx.channel(), refusal + ", pid=" + hello.pid());
            closeReason = refusal;
            goodbye(ctx.channel(), Handshake.Goodbye.REJECTED, refusal);
            return;
        }
        Handshake.Welcome welcome = Handshake.Welcome.accept(
                dispatcher.config().secret(),
                challenge,
                hello,
                max,
                heartbeat,
                Capabilities.of(Capability.CLIENT), // a client uses no daemon feature (class loading among them)
                Extensions.NONE);
        Negotiated settled = Negotiated.of(hello, welcome);
        release();
        handshakeDeadline.cancel(false);
        ctx.pipeline().get(FrameDecoder.class).maxFrameLength(max);
        if (heartbeat > 0) {
            ctx.pipeline().addAfter("ready", "heartbeat", new HeartbeatHandler(heartbeat));
        }
        Channel ch = ctx.channel();
        ctx.pipeline().replace(this, "client", new ClientConnection(dispatcher, service, settled));
        ch.writeAndFlush(FrameHeader.frame(ch.alloc(), FrameType.WELCOME, 0, 0, welcome.encode(ch.alloc())))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        LOG.info("client connected: pid={}, remote={}", hello.pid(), ch.remoteAddress());
    }

    private static void goodbye(Channel ch, int code, String reason) {
        ch.writeAndFlush(FrameHeader.frame(
                        ch.alloc(), FrameType.GOODBYE, 0, 0, new Handshake.Goodbye(code, reason).encode(ch.alloc())))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Writes a TASK frame for {@code task}, without flushing (the caller flushes once per pass, {@link WriteBatch});
     * the record keeps its own reference to the payload, and gives back its queue room once the frame is written
     * (or has failed to be, which also closes the connection).
     */
    void send(TaskRecord task) {
        if (task.traceContext() != null && negotiated.has(Capability.TRACE_CONTEXT)) {
            sendTraced(task);
            return;
        }
        channel.write(FrameHeader.frame(
                        channel.alloc(),
                        FrameType.TASK,
                        0,
                        task.id(),
                        task.payload().retainedDuplicate()))
                .addListener(new Written(task));
    }

    /** A TASK frame whose payload is the task's {@link TaskTrace} (with this daemon's id) followed by the task. */
    private void sendTraced(TaskRecord task) {
        ByteBuf prefix = new TaskTrace(task.traceContext(), row.id).encode(channel.alloc());
        ByteBuf payload = channel.alloc()
                .compositeBuffer(2)
                .addComponents(true, prefix, task.payload().retainedDuplicate()); // takes over both references
        channel.write(FrameHeader.frame(
                        channel.alloc(), FrameType.TASK, FrameType.Flags.TASK_TRACE_CONTEXT, task.id(), payload))
                .addListener(new Written(task));
    }

    /** One listener per TASK write: gives back the task's gate room, closes the connection if the write failed. */
    private record Written(TaskRecord task) implements ChannelFutureListener {
        @Override
        public void operationComplete(io.netty.channel.ChannelFuture f) {
            task.releaseGate();
            if (!f.isSuccess()) {
                f.channel().close();
            }
        }
    }

    /** Asks the daemon to interrupt (or drop, if it has not started) task {@code id}. */
    void cancel(long id) {
        if (channel.isActive()) {
            channel.writeAndFlush(FrameHeader.frame(channel.alloc(), FrameType.CANCEL, 0, id, null))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    /**
     * Asks the daemon to give back task {@code id} if it has not started it, without flushing (the caller flushes
     * once per pass, {@link WriteBatch}).
     */
    void recall(long id) {
        channel.write(FrameHeader.frame(channel.alloc(), FrameType.RECALL, 0, id, null))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Says goodbye and closes. */
    void close(String reason) {
        close(Handshake.Goodbye.NORMAL, reason);
    }

    /** Says goodbye with {@code code} and closes. */
    void close(int code, String reason) {
        closedByHost = true;
        noteClose("closed by the host: " + reason);
        if (channel != null && channel.isActive()) {
            goodbye(channel, code, reason);
        }
    }

    /** @return whether this daemon may be given tasks: connected, and neither recycling, finishing nor retiring */
    boolean takesTasks() {
        return channel.isActive() && !recycling && !finishing && !retiring;
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
            String reason = closeReason != null ? closeReason : "connection closed by the daemon or the network";
            if (closedByHost) {
                LOG.info("daemon disconnected: daemon={}, pid={}, reason={}", row.id, pid, reason);
            } else {
                LOG.warn("daemon lost: daemon={}, pid={}, reason={}", row.id, pid, reason);
            }
            dispatcher.disconnected(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = ProtocolException.unwrap(cause);
        noteClose(String.valueOf(c));
        if (!authenticated && closeReason != null) {
            dispatcher.refused(ctx.channel(), closeReason);
        }
        dispatcher.connectionError(this, c);
        ctx.close();
    }

    private void noteClose(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    private static String goodbyeReason(Frame frame) {
        try {
            Handshake.Goodbye goodbye = Handshake.Goodbye.decode(frame.payload());
            return "code=" + goodbye.code() + ", reason=" + goodbye.reason();
        } catch (RuntimeException e) {
            return "(malformed goodbye: " + e.getMessage() + ")";
        }
    }
}
