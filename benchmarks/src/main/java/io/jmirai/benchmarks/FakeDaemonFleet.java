package io.jmirai.benchmarks;

import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Many lightweight daemons in this JVM, for the scale curve: each is one connection on a shared event loop that does
 * the real handshake (HMAC with the session secret) and answers every TASK with a RESULT of {@code null} at once,
 * without decoding it; so what a task costs is the host's share only. While the fleet {@link #hold holds}, daemons
 * keep the tasks they get unanswered (one each, as the dispatcher sends one at a time), so the rest stay queued at the
 * host; {@link #release} answers them and lets the fleet answer at once again. Methods are thread-safe; each
 * daemon's state is confined to the fleet's event loop.
 */
final class FakeDaemonFleet implements AutoCloseable {
    private static final byte[] NULL_RESULT = nullResult();

    private final EventLoopGroup group = Transports.newGroup(1, "fake-daemons");
    private final List<FakeDaemon> daemons = new ArrayList<>();
    private volatile boolean holding;

    private static byte[] nullResult() {
        ByteBuf b = new KryoCodec(FakeDaemonFleet.class.getClassLoader()).encode(PooledByteBufAllocator.DEFAULT, null);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /**
     * Connects {@code n} daemons to {@code url} and waits until all are authenticated.
     *
     * @param secret the session secret
     */
    void connect(String url, String secret, int n, Duration timeout) throws Exception {
        ListenUrl u = ListenUrl.parse(url);
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FakeDaemon d = new FakeDaemon(key);
            daemons.add(d);
            ready.add(d.authenticated);
            new Bootstrap()
                    .group(group)
                    .channel(Transports.channel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Pipelines.addClientPrefix(ch.pipeline(), u, null, timeout);
                            ch.pipeline()
                                    .addLast(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                    .addLast(d);
                        }
                    })
                    .connect(u.host(), u.port())
                    .addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            d.authenticated.completeExceptionally(f.cause());
                        }
                    });
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** From now on, daemons keep the tasks they get unanswered. */
    void hold() {
        holding = true;
    }

    /** Answers every held task and answers at once again. */
    void release() {
        holding = false;
        group.next().execute(() -> daemons.forEach(FakeDaemon::answerHeld));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** One daemon: the handshake, then a RESULT per TASK. Confined to the fleet's event loop. */
    private final class FakeDaemon extends SimpleChannelInboundHandler<Frame> {
        final CompletableFuture<Void> authenticated = new CompletableFuture<>();
        private final byte[] secret;
        private final List<Long> held = new ArrayList<>();
        private Handshake.Challenge challenge;
        private Handshake.Hello hello;
        private ChannelHandlerContext ctx;

        FakeDaemon(byte[] secret) {
            this.secret = secret;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext c) {
            ctx = c;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext c, Frame frame) {
            switch (frame.type()) {
                case CHALLENGE -> {
                    challenge = Handshake.Challenge.decode(frame.payload());
                    hello = Handshake.Hello.answer(
                            secret, challenge, 0, ProcessHandle.current().pid(), "");
                    c.writeAndFlush(FrameHeader.frame(c.alloc(), FrameType.HELLO, 0, 0, hello.encode(c.alloc())));
                }
                case WELCOME -> {
                    Handshake.Welcome w = Handshake.Welcome.decode(frame.payload());
                    if (!w.verify(secret, challenge, hello)) {
                        authenticated.completeExceptionally(new IllegalStateException("host failed its proof"));
                        c.close();
                        return;
                    }
                    c.pipeline().get(FrameDecoder.class).maxFrameLength(w.maxFrameLength());
                    authenticated.complete(null);
                }
                case TASK -> {
                    if (holding) {
                        held.add(frame.correlationId());
                    } else {
                        answer(frame.correlationId());
                    }
                }
                case GOODBYE -> c.close();
                default -> {}
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext c) {
            c.flush();
        }

        private void answer(long id) {
            ctx.write(FrameHeader.frame(ctx.alloc(), FrameType.RESULT, 0, id, Unpooled.wrappedBuffer(NULL_RESULT)))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        void answerHeld() {
            for (long id : held) {
                answer(id);
            }
            held.clear();
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            authenticated.completeExceptionally(new IllegalStateException("connection closed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            authenticated.completeExceptionally(cause);
            c.close();
        }
    }
}
