package io.jmirai.dispatcher;

import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Transports;
import io.jmirai.transport.log.Redact;
import io.jmirai.transport.protocol.Capabilities;
import io.jmirai.transport.protocol.Capability;
import io.jmirai.transport.protocol.DialerHandshake;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.protocol.HeartbeatHandler;
import io.jmirai.transport.protocol.Negotiated;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's connection to a server, client side: dials the server's URL (the same listener daemons dial, with the
 * same TLS pinning and secret), proves the session secret in a HELLO that carries {@code Capability.CLIENT}, checks
 * the server's WELCOME, and then hands the channel to the dispatcher as its one upstream "daemon" (a {@link
 * DaemonConnection} in upstream mode), so that the client's tasks go through the same queue, timeouts and
 * cancellation as embedded ones. When the connection is lost, the tasks in flight there fail (code 19) and the link
 * dials again (100 ms, doubling to 5 s) until the dispatcher closes. Also correlates REQUEST frames with their REPLY.
 *
 * <p>Threading: dialing and the handshake are confined to the dispatcher's event loop; {@link #request} may be called
 * from any thread.
 */
final class ServerLink {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLink.class);
    private static final Duration MAX_REDIAL_DELAY = Duration.ofSeconds(5);

    private final Dispatcher dispatcher;
    private final ListenUrl url;
    private final SslContext ssl;
    private final byte[] secret;
    private final Duration connectTimeout;
    private final EventLoop loop;
    /** Completes when the first connection authenticates, or fails if it cannot. */
    final CompletableFuture<Void> firstConnection = new CompletableFuture<>();

    private final Map<Long, CompletableFuture<byte[]>> requests = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile Channel channel; // authenticated, or null
    private volatile boolean stopped;
    private long redialDelayMillis = 100; // on the loop

    ServerLink(
            Dispatcher dispatcher,
            ListenUrl url,
            SslContext ssl,
            byte[] secret,
            Duration connectTimeout,
            EventLoop loop) {
        this.dispatcher = dispatcher;
        this.url = url;
        this.ssl = ssl;
        this.secret = secret;
        this.connectTimeout = connectTimeout;
        this.loop = loop;
    }

    /** Dials (on the loop). */
    void dial() {
        if (!loop.inEventLoop()) {
            loop.execute(this::dial);
            return;
        }
        if (stopped) {
            return;
        }
        new Bootstrap()
                .group(loop)
                .channel(Transports.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Pipelines.addClientPrefix(ch.pipeline(), url, ssl, connectTimeout);
                        ch.pipeline()
                                .addLast(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                .addLast(new Handshaker());
                    }
                })
                .connect(url.host(), url.port())
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        Channel ch = f.channel();
                        loop.schedule(
                                () -> {
                                    if (channel != ch && ch.isActive()) {
                                        ch.close(); // the handshake took too long
                                    }
                                },
                                connectTimeout.toMillis(),
                                TimeUnit.MILLISECONDS);
                    } else {
                        ended("cannot reach the server: url=" + Redact.url(url) + ": " + f.cause());
                    }
                });
    }

    /** A connection attempt, or an authenticated connection, ended. */
    private void ended(String why) {
        if (!firstConnection.isDone()) {
            firstConnection.completeExceptionally(new IllegalStateException(why));
            return; // connect() failed: no redialing for a client that never got in
        }
        if (stopped) {
            return;
        }
        long delay = redialDelayMillis;
        redialDelayMillis = Math.min(delay * 2, MAX_REDIAL_DELAY.toMillis());
        loop.schedule(this::dial, delay, TimeUnit.MILLISECONDS);
    }

    /** On the loop: the authenticated connection was lost; requests waiting on it fail, and the link dials again. */
    void lost() {
        channel = null;
        failRequests("connection to the server lost: url=" + Redact.url(url));
        LOG.warn("connection to the server lost, dialing again: url={}", Redact.url(url));
        ended("connection to the server lost");
    }

    /** No more dialing; waiting requests fail. Thread-safe, idempotent. */
    void stop() {
        stopped = true;
        failRequests("client closed");
    }

    private void failRequests(String why) {
        for (Long id : requests.keySet()) {
            CompletableFuture<byte[]> f = requests.remove(id);
            if (f != null) {
                f.completeExceptionally(new IllegalStateException(why));
            }
        }
    }

    /**
     * Sends a REQUEST. Thread-safe.
     *
     * @return the REPLY's payload; fails with an {@link IllegalStateException} carrying the server's message if the
     *     request failed there, or if the connection is down or lost before the answer
     */
    CompletableFuture<byte[]> request(int op, byte[] args) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || stopped) {
            f.completeExceptionally(new IllegalStateException(
                    stopped ? "client closed" : "not connected to the server (dialing again): url=" + Redact.url(url)));
            return f;
        }
        long id = requestIds.incrementAndGet();
        requests.put(id, f);
        byte[] payload = new byte[1 + args.length];
        payload[0] = (byte) op;
        System.arraycopy(args, 0, payload, 1, args.length);
        ch.writeAndFlush(FrameHeader.frame(ch.alloc(), FrameType.REQUEST, 0, id, Unpooled.wrappedBuffer(payload)))
                .addListener((ChannelFutureListener) w -> {
                    if (!w.isSuccess()) {
                        CompletableFuture<byte[]> waiting = requests.remove(id);
                        if (waiting != null) {
                            waiting.completeExceptionally(
                                    new IllegalStateException("cannot send request to the server: " + w.cause()));
                        }
                    }
                });
        if (!ch.isActive()) { // lost between the check and the put: lost() may have run before the put
            CompletableFuture<byte[]> waiting = requests.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(new IllegalStateException("connection to the server lost"));
            }
        }
        return f;
    }

    /** On the loop: a REPLY arrived. */
    void reply(long id, int flags, byte[] payload) {
        CompletableFuture<byte[]> f = requests.remove(id);
        if (f == null) {
            throw new ProtocolException("reply to no request: request=" + id);
        }
        if ((flags & FrameType.Flags.REPLY_ERROR) != 0) {
            f.completeExceptionally(new IllegalStateException(new String(payload, StandardCharsets.UTF_8)));
        } else {
            f.complete(payload);
        }
    }

    /** The handshake, client side; replaced by the dispatcher's upstream {@link DaemonConnection} once it is done. */
    private final class Handshaker extends ChannelInboundHandlerAdapter {
        private final DialerHandshake handshake = new DialerHandshake(secret);
        private boolean handedOver;
        private String endReason;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = Frame.from(msg);
            try {
                switch (frame.type()) {
                    case CHALLENGE ->
                        ctx.writeAndFlush(handshake.hello(
                                        ctx.alloc(),
                                        frame.payload(),
                                        0,
                                        "",
                                        Capabilities.of(Capability.CLIENT))) // a client uses no daemon feature
                                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                    case WELCOME -> welcome(ctx, frame);
                    case GOODBYE -> {
                        Handshake.Goodbye goodbye = Handshake.Goodbye.decode(frame.payload());
                        endReason = "the server refused this client: code=" + goodbye.code() + ", reason="
                                + goodbye.reason();
                        if (!firstConnection.isDone()) {
                            stopped = true; // a refusal (wrong secret, no clients accepted) will not change by retrying
                        }
                        ctx.close();
                    }
                    default -> throw new ProtocolException("unexpected frame during handshake: type=" + frame.type());
                }
            } finally {
                frame.release();
            }
        }

        private void welcome(ChannelHandlerContext ctx, Frame frame) {
            Handshake.Welcome welcome = handshake.welcome(frame.payload());
            if (welcome == null) {
                endReason = "the server failed to prove the secret: url=" + Redact.url(url);
                stopped = !firstConnection.isDone() || stopped;
                ctx.close();
                return;
            }
            Negotiated negotiated = handshake.negotiated(welcome);
            if (!negotiated.has(Capability.CLIENT)) {
                endReason = "not a server that accepts clients: url=" + Redact.url(url);
                ctx.close();
                return;
            }
            ctx.pipeline().get(FrameDecoder.class).maxFrameLength(welcome.maxFrameLength());
            if (welcome.heartbeatMillis() > 0) {
                ctx.pipeline().addAfter("ready", "heartbeat", new HeartbeatHandler(welcome.heartbeatMillis()));
            }
            handedOver = true;
            redialDelayMillis = 100;
            channel = ctx.channel();
            dispatcher.upstreamConnected(ctx, this, ServerLink.this, negotiated);
            LOG.info("connected to the server: url={}", Redact.url(url));
            firstConnection.complete(null);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!handedOver) {
                ended(endReason != null ? endReason : "connection to the server closed during the handshake");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (endReason == null) {
                endReason = String.valueOf(ProtocolException.unwrap(cause));
            }
            ctx.close();
        }
    }
}
