package io.jmirai.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A TLS echo server on the loopback address, port 0, and a one-shot client, for handshake tests. */
final class TlsEcho {

    /** What the client saw: the echoed text and the negotiated protocol. */
    record Reply(String text, String protocol) {}

    private TlsEcho() {}

    /** Binds an echo server on the loopback address, port 0, and returns its channel (close it, or the group). */
    static Channel startServer(EventLoopGroup group, SslContext serverContext) throws Exception {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(serverContext.newHandler(ch.alloc()), new EchoHandler());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0)
                .sync()
                .channel();
    }

    static int port(Channel server) {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Connects to {@code port} on the loopback address, telling the client's TLS engine that the peer is {@code host}
     * (the name verified against the server certificate), sends {@code message} and completes with the echo, or
     * exceptionally with the handshake failure. The channel is closed when the future completes.
     */
    static CompletableFuture<Reply> exchange(
            EventLoopGroup group, SslContext clientContext, String host, int port, String message) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = clientContext.newHandler(ch.alloc(), host, port);
                        ssl.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                ch.writeAndFlush(Unpooled.wrappedBuffer(bytes))
                                        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
                            } else {
                                reply.completeExceptionally(f.cause());
                            }
                        });
                        ch.pipeline().addLast(ssl, new CollectHandler(ssl, bytes.length, reply));
                    }
                });
        bootstrap.connect(InetAddress.getLoopbackAddress(), port).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                reply.completeExceptionally(f.cause());
            } else {
                reply.whenComplete((r, t) -> f.channel().close());
            }
        });
        return reply;
    }

    static void shutdown(EventLoopGroup group) throws Exception {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // ownership of msg passes to Netty, which releases it after the write
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a refused handshake surfaces here on the server; the client side asserts on it
            ctx.close();
        }
    }

    private static final class CollectHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final SslHandler ssl;
        private final int expectedLength;
        private final CompletableFuture<Reply> reply;
        private final StringBuilder received = new StringBuilder();
        private int receivedLength;

        CollectHandler(SslHandler ssl, int expectedLength, CompletableFuture<Reply> reply) {
            this.ssl = ssl;
            this.expectedLength = expectedLength;
            this.reply = reply;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            receivedLength += msg.readableBytes();
            received.append(msg.toString(StandardCharsets.UTF_8));
            if (receivedLength >= expectedLength) {
                reply.complete(
                        new Reply(received.toString(), ssl.engine().getSession().getProtocol()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reply.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            reply.completeExceptionally(new IllegalStateException("connection closed before echo: receivedLength="
                    + receivedLength + ", expectedLength=" + expectedLength));
        }
    }
}
