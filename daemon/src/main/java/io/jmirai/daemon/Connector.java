package io.jmirai.daemon;

import io.jmirai.api.AutoExit;
import io.jmirai.api.ExitCode;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.TransportReadyHandler;
import io.jmirai.transport.Transports;
import io.jmirai.transport.log.LogLimiter;
import io.jmirai.transport.log.Redact;
import io.jmirai.transport.protocol.Capabilities;
import io.jmirai.transport.protocol.Capability;
import io.jmirai.transport.protocol.ClassFrames;
import io.jmirai.transport.protocol.DialerHandshake;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.HeartbeatHandler;
import io.jmirai.transport.protocol.Negotiated;
import io.jmirai.transport.protocol.ProtocolException;
import io.jmirai.transport.protocol.TaskTrace;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's connection to its host: dials (and redials, with a doubling delay up to 5 s), bounds each attempt and
 * its handshake by the connect timeout, answers the host's CHALLENGE with a HELLO that proves the secret, checks the
 * WELCOME's proof, and then passes TASK and CANCEL frames to the {@link Daemon} and CLASS_BYTES answers to the
 * {@link ClassFetcher} (remote class loading, when both sides advertised it). Every connection attempt has an
 * epoch number, so that events of an older connection are ignored. What to do when a connection ends (redial or
 * exit, and with which code) is the {@link Daemon}'s decision.
 *
 * <p>Threading: confined to the daemon's event loop.
 */
final class Connector {
    private static final Duration MAX_REDIAL_DELAY = Duration.ofSeconds(5);

    private final Daemon daemon;
    private final DaemonConfig config;
    /** Remote class loading's requests, or null when this daemon does not advertise it. */
    private final ClassFetcher classes;

    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

    /** Failed dials are logged at most once per 30 s: a daemon may keep dialing an absent host for hours. */
    private final LogLimiter redials = new LogLimiter(Duration.ofSeconds(30));
    /** Why the current connection ended, for the log: the first reason known wins; reset at each dial. */
    private String endReason;

    private final EventLoop loop;
    private final long startNanos = System.nanoTime();

    // Confined to the event loop.
    private Channel channel;
    private int epoch;
    private boolean authenticated;
    private boolean rejected;
    private boolean everAuthenticated;
    private boolean stopped;
    private boolean classLoading; // negotiated on the current connection
    private long redialDelayMillis = 100;

    Connector(Daemon daemon, DaemonConfig config, EventLoop loop, ClassFetcher classes) {
        this.daemon = daemon;
        this.config = config;
        this.loop = loop;
        this.classes = classes;
    }

    /**
     * Sends a CLASS_REQUEST on the current connection. On the event loop.
     *
     * @return null once written, or why it cannot be sent
     */
    String requestClass(long requestId, long taskId, String name) {
        Channel ch = channel;
        if (ch == null || !authenticated || stopped) {
            return "not connected to the host";
        }
        if (!classLoading) {
            return "the host does not ship classes on this connection (Daemons.builder().shipClasses(false), or a"
                    + " host older than this daemon)";
        }
        ch.writeAndFlush(new ClassFrames.ClassRequest(taskId, name).frame(ch.alloc(), requestId))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return null;
    }

    /** @return the current connection attempt */
    int epoch() {
        return epoch;
    }

    /** @return the current channel, or null between connections */
    Channel channel() {
        return channel;
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    /** The daemon is exiting: no more dialing, and the end of the connection is not reported. */
    void stop() {
        stopped = true;
    }

    /**
     * Writes {@code frame} if the connection is up and authenticated and, when {@code attempt} is not negative, is
     * the one of that attempt; otherwise releases it.
     */
    void send(ByteBuf frame, int attempt) {
        if (write(frame, attempt)) {
            channel.flush();
        }
    }

    /**
     * As {@link #send}, without flushing: for a batch of frames followed by one {@link #flush()}.
     *
     * @return whether the frame was written (else it was released)
     */
    boolean write(ByteBuf frame, int attempt) {
        Channel ch = channel;
        if (ch != null && authenticated && !stopped && (attempt < 0 || attempt == epoch)) {
            ch.write(frame, ch.voidPromise());
            return true;
        }
        frame.release();
        return false;
    }

    /** Flushes what {@link #write} wrote (one write syscall for the batch). */
    void flush() {
        Channel ch = channel;
        if (ch != null) {
            ch.flush();
        }
    }

    void dial() {
        if (stopped) {
            return;
        }
        int attempt = ++epoch;
        authenticated = false;
        endReason = null;
        rejected = false;
        new Bootstrap()
                .group(loop)
                .channel(Transports.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Pipelines.addClientPrefix(ch.pipeline(), config.url(), config.ssl(), config.connectTimeout());
                        HostHandler handler =
                                new HostHandler(attempt, ch.pipeline().get(TransportReadyHandler.class));
                        ch.pipeline()
                                .addLast(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                .addLast(handler);
                    }
                })
                .connect(config.url().host(), config.url().port())
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        channel = f.channel();
                        scheduleHandshakeDeadline(f.channel());
                    } else if (config.autoExit() == AutoExit.NEVER || stillDialing()) {
                        long skipped = redials.tryAcquire();
                        if (skipped >= 0) {
                            LOG.info(
                                    "cannot reach host, dialing again: url={}, cause={} ({} more failed dials not"
                                            + " logged)",
                                    Redact.url(config.url()),
                                    f.cause() == null ? "?" : f.cause().toString(),
                                    skipped);
                        }
                        redialLater();
                    } else {
                        daemon.exit(
                                ExitCode.UNREACHABLE,
                                "cannot reach host: url=" + Redact.url(config.url()) + ": " + f.cause());
                    }
                });
    }

    private void scheduleHandshakeDeadline(Channel ch) {
        loop.schedule(
                () -> {
                    if (ch == channel && !authenticated && ch.isActive()) {
                        LOG.warn("handshake timed out: url={}", Redact.url(config.url()));
                        noteEnd("handshake timed out");
                        ch.close();
                    }
                },
                config.connectTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void redialLater() {
        long delay = redialDelayMillis;
        redialDelayMillis = Math.min(redialDelayMillis * 2, MAX_REDIAL_DELAY.toMillis());
        loop.schedule(this::dial, delay, TimeUnit.MILLISECONDS);
    }

    /** Until the first authentication, a daemon keeps dialing for {@code dialTimeout}. */
    boolean stillDialing() {
        return !everAuthenticated
                && System.nanoTime() - startNanos < config.dialTimeout().toNanos();
    }

    private void connectionEnded(int attempt, Throwable tlsFailure) {
        if (attempt != epoch || stopped) {
            return;
        }
        boolean wasAuthenticated = authenticated;
        channel = null;
        authenticated = false;
        classLoading = false;
        if (classes != null) {
            classes.connectionEnded();
        }
        if (wasAuthenticated) {
            LOG.warn(
                    "connection to host ended: url={}, reason={}",
                    Redact.url(config.url()),
                    endReason != null ? endReason : "closed by the host or the network");
        }
        daemon.connectionEnded(wasAuthenticated, rejected, tlsFailure);
    }

    private void noteEnd(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
    }

    private void authenticated(int maxFrameLength, Channel ch, Negotiated negotiated) {
        authenticated = true;
        classLoading = classes != null && negotiated.has(Capability.CLASS_LOADING);
        everAuthenticated = true;
        redialDelayMillis = 100;
        ch.pipeline().get(FrameDecoder.class).maxFrameLength(maxFrameLength);
        LOG.info(
                "connected to host: url={}, maxFrameLength={}, capabilities={}",
                Redact.url(config.url()),
                maxFrameLength,
                negotiated.capabilities());
        daemon.authenticated(maxFrameLength);
    }

    /** The connection's protocol handler: handshake, then tasks. Confined to the event loop. */
    private final class HostHandler extends ChannelInboundHandlerAdapter {
        private final int attempt;
        private final TransportReadyHandler ready;
        private final DialerHandshake handshake;
        private Negotiated negotiated;

        HostHandler(int attempt, TransportReadyHandler ready) {
            this.attempt = attempt;
            this.ready = ready;
            this.handshake = new DialerHandshake(config.secret());
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
                    case TASK -> task(frame);
                    case CANCEL -> daemon.cancel(frame.correlationId());
                    case RECALL -> daemon.recall(frame.correlationId());
                    case CLASS_BYTES ->
                        classes.answered(
                                frame.correlationId(), ClassFrames.ClassAnswer.decode(frame.flags(), frame.payload()));
                    case HEARTBEAT -> {}
                    case GOODBYE -> {
                        Handshake.Goodbye goodbye = Handshake.Goodbye.decode(frame.payload());
                        noteEnd("host said goodbye: code=" + goodbye.code() + ", reason=" + goodbye.reason());
                        if (goodbye.code() == Handshake.Goodbye.RETIRED) {
                            daemon.retiredByHost(); // scaled down: exit rather than redial
                        }
                        ctx.close();
                    }
                    default -> throw new ProtocolException("unexpected frame from host: type=" + frame.type());
                }
            } finally {
                frame.release();
            }
        }

        /** Hands a TASK to the daemon, with the trace context in front of its payload if the flag says so. */
        private void task(Frame frame) {
            TaskTrace trace = null;
            if ((frame.flags() & FrameType.Flags.TASK_TRACE_CONTEXT) != 0) {
                if (!negotiated.has(Capability.TRACE_CONTEXT)) {
                    throw new ProtocolException("task with a trace context on a connection that did not negotiate it:"
                            + " negotiated=" + negotiated.capabilities());
                }
                trace = TaskTrace.decode(frame.payload()); // bounded: two length bytes of at most 255 each
            }
            daemon.taskArrived(frame.correlationId(), frame.payload().retain(), trace); // hand-off: worker releases
        }

        private void handshake(ChannelHandlerContext ctx, Frame frame) {
            switch (frame.type()) {
                case CHALLENGE -> {
                    Capabilities advertised = classes != null
                            ? Capabilities.supported()
                            : Capabilities.supported().without(Capability.CLASS_LOADING);
                    ctx.writeAndFlush(handshake.hello(
                                    ctx.alloc(), frame.payload(), config.slot(), config.token(), advertised))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
                case WELCOME -> {
                    Handshake.Welcome welcome = handshake.welcome(frame.payload());
                    if (welcome == null) {
                        daemon.exit(
                                ExitCode.AUTHENTICATION_FAILED,
                                "host failed to prove the secret: url=" + Redact.url(config.url()));
                        ctx.close();
                        return;
                    }
                    negotiated = handshake.negotiated(welcome);
                    if (welcome.heartbeatMillis() > 0) {
                        ctx.pipeline().addAfter("ready", "heartbeat", new HeartbeatHandler(welcome.heartbeatMillis()));
                    }
                    authenticated(welcome.maxFrameLength(), ctx.channel(), negotiated);
                }
                case GOODBYE -> {
                    rejected = true;
                    Handshake.Goodbye goodbye = Handshake.Goodbye.decode(frame.payload());
                    LOG.warn(
                            "host refused this daemon: url={}, code={}, reason={}",
                            Redact.url(config.url()),
                            goodbye.code(),
                            goodbye.reason());
                    ctx.close();
                }
                default -> throw new ProtocolException("unexpected frame during handshake: type=" + frame.type());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connectionEnded(attempt, ready.failure());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = ProtocolException.unwrap(cause);
            LOG.warn("closing connection to host: url={}, cause={}", Redact.url(config.url()), c.toString());
            noteEnd(c.toString());
            ctx.close();
        }
    }
}
