package io.jmirai.daemon;

import io.jmirai.api.ExitCode;
import io.jmirai.api.Task;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Scheme;
import io.jmirai.transport.TransportReady;
import io.jmirai.transport.Transports;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Handshake;
import io.jmirai.transport.serial.KryoCodec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The training run for the daemon's class-data-sharing archive, made when the jar is packaged: {@code java
 * -XX:ArchiveClassesAtExit=jmirai-daemon.jsa -cp jmirai-daemon.jar io.jmirai.daemon.CdsTraining}. It runs the real
 * {@link DaemonMain} in this JVM against a minimal host on loopback (challenge, HELLO, WELCOME, tasks: no-ops, a value,
 * a byte array and one that throws, then GOODBYE), so the archive holds the classes a daemon loads from its start to
 * its first results. Local launches use the archive when it sits next to the jar they run (see {@code
 * io.jmirai.launch.LocalLauncher}). Single-use; the host side is confined to its event loop.
 */
public final class CdsTraining {
    private static final int TASKS = 200;
    private static final long TIMEOUT_SECONDS = 60;

    private CdsTraining() {}

    /**
     * Runs the training session; exits 0 when the daemon got every task's result, else 1.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        String secret = Handshake.newSecret();
        Path secretFile = Files.createTempFile(
                "jmirai-cds-",
                ".secret",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        EventLoopGroup group = Transports.newGroup(1, "cds-training-host");
        int code = 1;
        try {
            Files.writeString(secretFile, secret, StandardCharsets.UTF_8);
            TrainingHost host = new TrainingHost(secret.getBytes(StandardCharsets.UTF_8));
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(Transports.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Pipelines.addServerPrefix(ch.pipeline(), Scheme.TCP, null, Duration.ofSeconds(10));
                            ch.pipeline()
                                    .addLast(new FrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH))
                                    .addLast(host);
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            int exit = DaemonMain.run(
                    "tcp://127.0.0.1:" + port, "--secret-file=" + secretFile, "--output", "--autoexit=now");
            host.done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            server.close().sync();
            code = exit == ExitCode.CONNECTION_ENDED ? 0 : 1;
            System.out.println("cds-training: " + TASKS + " tasks, daemon exit code " + exit);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            deleteQuietly(secretFile);
        }
        System.exit(code);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file
        }
    }

    /** The host's side of one session: handshake, TASKS tasks, then GOODBYE. Confined to its event loop. */
    private static final class TrainingHost extends SimpleChannelInboundHandler<Frame> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final byte[] secret;
        private final KryoCodec codec = new KryoCodec(CdsTraining.class.getClassLoader());
        private Handshake.Challenge challenge;
        private int results;

        TrainingHost(byte[] secret) {
            this.secret = secret;
        }

        @Override
        public boolean isSharable() {
            return true; // one daemon connects, once
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof TransportReady) {
                challenge = new Handshake.Challenge(Handshake.newNonce());
                ctx.writeAndFlush(FrameHeader.frame(
                                ctx.alloc(), FrameType.CHALLENGE, 0, 0, challenge.encode(ctx.alloc())))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            switch (frame.type()) {
                case HELLO -> {
                    Handshake.Hello hello = Handshake.Hello.decode(frame.payload());
                    if (!hello.verify(secret, challenge)) {
                        done.completeExceptionally(new IllegalStateException("training daemon failed to authenticate"));
                        ctx.close();
                        return;
                    }
                    Handshake.Welcome welcome =
                            Handshake.Welcome.accept(secret, challenge, hello, FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 0);
                    ctx.write(FrameHeader.frame(ctx.alloc(), FrameType.WELCOME, 0, 0, welcome.encode(ctx.alloc())));
                    for (int i = 1; i <= TASKS; i++) {
                        ctx.write(FrameHeader.frame(ctx.alloc(), FrameType.TASK, 0, i, task(ctx, i)));
                    }
                    ctx.flush();
                }
                case RESULT -> {
                    if (frame.correlationId() == 3) {
                        codec.decode(frame.payload()); // the host's decoding path, for the archive
                    }
                    if (++results == TASKS) {
                        ctx.writeAndFlush(FrameHeader.frame(
                                        ctx.alloc(),
                                        FrameType.GOODBYE,
                                        0,
                                        0,
                                        new Handshake.Goodbye(Handshake.Goodbye.NORMAL, "training done")
                                                .encode(ctx.alloc())))
                                .addListener(ChannelFutureListener.CLOSE);
                        done.complete(null);
                    }
                }
                default -> {}
            }
        }

        /** Task {@code i}: mostly no-ops, plus a value, a byte array, and one that throws. */
        private ByteBuf task(ChannelHandlerContext ctx, int i) {
            Task<?> t;
            if (i == 2) {
                t = () -> Integer.valueOf(42);
            } else if (i == 3) {
                byte[] bytes = new byte[64 * 1024];
                t = () -> bytes;
            } else if (i == 4) {
                t = () -> {
                    throw new IllegalStateException("training: a task that fails");
                };
            } else {
                t = () -> null;
            }
            return codec.encode(ctx.alloc(), t);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
