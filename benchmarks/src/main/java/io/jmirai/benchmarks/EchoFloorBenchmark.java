package io.jmirai.benchmarks;

import io.jmirai.transport.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor: what two JVMs on loopback can do with plain Netty, the same transport jmirai uses ({@link Transports}:
 * epoll where it loads, TCP_NODELAY), and nothing else: no handshake, no serialization, no dispatcher, no worker
 * thread. {@link EchoServerMain} runs in a child JVM; this JVM is the client, with one message in flight at a time
 * (as jmirai has one task in flight per daemon).
 *
 * <p>The message is written from the benchmark thread and its echo completes a {@link CompletableFuture} on the event
 * loop, the same thread hand-offs {@code daemons.mirai(...).get()} makes. The payload is a pre-filled direct buffer
 * sent as a retained duplicate (no copy); the echo is released unread.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class EchoFloorBenchmark {
    static final int SMALL_BYTES = 16;
    static final int LARGE_BYTES = 1 << 20;
    private static final long TIMEOUT_SECONDS = 30;

    private Process server;
    private EventLoopGroup group;
    private Channel channel;
    private EchoClientHandler client;
    private ByteBuf small;
    private ByteBuf large;

    /** Starts the echo server JVM and connects to it. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        System.out.println("# transport: " + (Transports.isNative() ? "epoll" : "nio"));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EchoServerMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        server = pb.start();
        int port = readPort(server);
        small = frame(SMALL_BYTES);
        large = frame(LARGE_BYTES);
        client = new EchoClientHandler();
        group = Transports.newGroup(1, "echo-client");
        channel = new Bootstrap()
                .group(group)
                .channel(Transports.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(EchoServerMain.MAX_FRAME_LENGTH, 0, 4, 0, 4))
                                .addLast(client);
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
    }

    private static int readPort(Process p) throws InterruptedException, ExecutionException, TimeoutException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("echo server exited before printing its port");
        }
        return Integer.parseInt(line.strip());
    }

    private static ByteBuf frame(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return PooledByteBufAllocator.DEFAULT
                .directBuffer(4 + length)
                .writeInt(length)
                .writeBytes(bytes);
    }

    /** Closes the connection and lets the echo server exit (killing it if it does not). */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        try {
            if (channel != null) {
                channel.close().await(5, TimeUnit.SECONDS);
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            }
        } finally {
            if (server != null) {
                server.getOutputStream().close();
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (small != null) {
                small.release();
            }
            if (large != null) {
                large.release();
            }
        }
    }

    /** (f1) Sequential round trip of a 16-byte message; sampled, so JMH reports percentiles. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int roundTrip16B() throws Exception {
        return client.roundTrip(channel, small, SMALL_BYTES);
    }

    /**
     * (f2) Echo of 1 MiB, one at a time. An operation is one MiB moved (out and back: 2 per invocation), so the
     * score in ops/s is MiB/s.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(2)
    @Warmup(iterations = 10, time = 2) // the jmirai echo still sped up after 6 warm-up seconds; same for the floor
    public int echo1MiB() throws Exception {
        return client.roundTrip(channel, large, LARGE_BYTES);
    }

    /** Completes the pending round trip with the echoed length; one message in flight at a time. */
    private static final class EchoClientHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private volatile CompletableFuture<Integer> pending;

        int roundTrip(Channel ch, ByteBuf frame, int expected) throws Exception {
            CompletableFuture<Integer> reply = new CompletableFuture<>();
            pending = reply;
            ch.writeAndFlush(frame.retainedDuplicate()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            int length = reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (length != expected) {
                throw new IllegalStateException("echo length: " + length + " (expected: " + expected + ")");
            }
            return length;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            pending.complete(msg.readableBytes());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<Integer> p = pending;
            if (p != null) {
                p.completeExceptionally(new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Integer> p = pending;
            if (p != null) {
                p.completeExceptionally(cause);
            }
            ctx.close();
        }
    }
}
