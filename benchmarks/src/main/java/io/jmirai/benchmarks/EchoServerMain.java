package io.jmirai.benchmarks;

import io.jmirai.transport.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The floor's server: a plain Netty echo of length-framed messages, with nothing of jmirai but its choice of transport
 * ({@link Transports}: epoll where it loads, TCP_NODELAY). Binds {@code 127.0.0.1} port 0, prints the bound port on
 * stdout, echoes every frame (4-byte big-endian length, then that many bytes) back as it came, and exits when its
 * stdin closes, so it never outlives the benchmark that started it.
 *
 * <pre>
 * +----------------+---------------------+
 * | length (int32) | length bytes        |   echoed unchanged, length field included
 * +----------------+---------------------+
 * </pre>
 */
public final class EchoServerMain {
    /** Largest frame echoed: 64 MiB. */
    static final int MAX_FRAME_LENGTH = 64 << 20;

    private EchoServerMain() {}

    /**
     * Runs the server until stdin reaches end of file.
     *
     * @param args none
     */
    public static void main(String[] args) throws IOException {
        EventLoopGroup group = Transports.newGroup(1, "echo-server");
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(Transports.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME_LENGTH, 0, 4))
                                    .addLast(EchoHandler.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .syncUninterruptibly()
                    .channel();
            System.out.println(((InetSocketAddress) server.localAddress()).getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent holds stdin open while it needs this server
            }
            server.close().syncUninterruptibly();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Writes every frame back; the decoder's frame passes to the write, which releases it. */
    @ChannelHandler.Sharable
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg); // hand-off: the write owns the frame
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("echo-server: " + cause);
            ctx.close();
        }
    }
}
