package io.jmirai;

import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven protocol peer for tests: connects like a daemon, but every frame it sends is chosen by the test, so it
 * can lie, stall or send garbage. Received frames are copied into {@link Received} values and released at once.
 */
final class RawPeer implements AutoCloseable {
    record Received(FrameType type, int flags, long correlationId, byte[] payload) {}

    private final EventLoopGroup group = Transports.newGroup(1, "raw-peer");
    private final BlockingQueue<Received> inbound = new LinkedBlockingQueue<>();
    private final Channel channel;

    RawPeer(String url) throws InterruptedException {
        this(url, null);
    }

    /** Connects over {@code url}'s scheme; for TLS schemes, trusting exactly {@code certificatePem}. */
    RawPeer(String url, String certificatePem) throws InterruptedException {
        ListenUrl u = ListenUrl.parse(url);
        io.netty.handler.ssl.SslContext ssl =
                u.scheme().isTls() ? io.jmirai.tls.ClientTls.pinned(certificatePem) : null;
        channel = new Bootstrap()
                .group(group)
                .channel(Transports.channel())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        io.jmirai.transport.Pipelines.addClientPrefix(
                                ch.pipeline(), u, ssl, java.time.Duration.ofSeconds(10));
                        ch.pipeline()
                                .addLast(new FrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH))
                                .addLast(new SimpleChannelInboundHandler<Frame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
                                        inbound.add(new Received(
                                                f.type(),
                                                f.flags(),
                                                f.correlationId(),
                                                ByteBufUtil.getBytes(f.payload())));
                                    }
                                });
                    }
                })
                .connect(u.host(), u.port())
                .sync()
                .channel();
    }

    Received next() throws InterruptedException {
        Received r = inbound.poll(15, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no frame within 15 s");
        }
        return r;
    }

    /** Answers the host's challenge with {@code secret} and returns the host's answer (WELCOME or GOODBYE). */
    Received authenticate(String secret, int slot) throws InterruptedException {
        return authenticate(secret, slot, io.jmirai.transport.protocol.Capabilities.supported());
    }

    /** As {@link #authenticate(String, int)}, advertising only {@code capabilities} (an older daemon advertises less). */
    Received authenticate(String secret, int slot, io.jmirai.transport.protocol.Capabilities capabilities)
            throws InterruptedException {
        Received challenge = next();
        if (challenge.type() != FrameType.CHALLENGE) {
            throw new AssertionError("expected CHALLENGE, got " + challenge.type());
        }
        Handshake.Hello hello = Handshake.Hello.answer(
                secret.getBytes(StandardCharsets.UTF_8),
                Handshake.Challenge.decode(Unpooled.wrappedBuffer(challenge.payload())),
                slot,
                4242,
                "",
                capabilities,
                io.jmirai.transport.protocol.Extensions.NONE);
        send(FrameHeader.frame(channel.alloc(), FrameType.HELLO, 0, 0, hello.encode(channel.alloc())));
        return next();
    }

    void send(ByteBuf bytes) throws InterruptedException {
        channel.writeAndFlush(bytes).sync();
    }

    /** Writes bytes as they are, no framing. */
    void sendRaw(byte[] bytes) throws InterruptedException {
        send(Unpooled.wrappedBuffer(bytes));
    }

    boolean awaitClosed() throws InterruptedException {
        return channel.closeFuture().await(15, TimeUnit.SECONDS);
    }

    boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
