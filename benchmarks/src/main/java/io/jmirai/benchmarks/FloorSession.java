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
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The plain-Netty floor in the fresh regime of {@link SessionBenchmark}: a new {@link EchoServerMain} JVM per
 * repetition (started with this JVM's {@code java} and classpath, as local daemons are), then the same warm-up and
 * counts as the jmirai figures: the JVM's start until its port is known and the connection is up (the floor of a
 * daemon's start), its idle RSS (the floor of a daemon's), N_WARM then N_LAT sequential round trips of 16 bytes, and
 * N_PAY messages of PAY_BYTES written at once and all echoed back (MB/s counts each message once, as bench.R's
 * payload figure does). Used by one thread at a time.
 */
final class FloorSession {
    static final Map<String, String> UNITS = new LinkedHashMap<>();

    static {
        UNITS.put("floor_startup_server", "ms");
        UNITS.put("floor_server_idle_rss", "kB");
        UNITS.put("floor_latency_median", "us");
        UNITS.put("floor_latency_p99", "us");
        UNITS.put("floor_latency_mean", "us");
        UNITS.put("floor_payload_oneway", "MB/s");
    }

    private static final long TIMEOUT_SECONDS = 60;

    private final int nWarm;
    private final int nLat;
    private final int nPay;
    private final int payBytes;

    FloorSession(int nWarm, int nLat, int nPay, int payBytes) {
        this.nWarm = nWarm;
        this.nLat = nLat;
        this.nPay = nPay;
        this.payBytes = payBytes;
    }

    void run(SessionFigures fig) throws Exception {
        long t0 = System.nanoTime();
        Process server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EchoServerMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        EventLoopGroup group = Transports.newGroup(1, "floor-client");
        Counter counter = new Counter();
        ByteBuf small = frame(16);
        ByteBuf large = frame(payBytes);
        try {
            int port = readPort(server);
            Channel ch = new Bootstrap()
                    .group(group)
                    .channel(Transports.channel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline()
                                    .addLast(new LengthFieldBasedFrameDecoder(
                                            EchoServerMain.MAX_FRAME_LENGTH, 0, 4, 0, 4))
                                    .addLast(counter);
                        }
                    })
                    .connect("127.0.0.1", port)
                    .sync()
                    .channel();
            fig.record("floor_startup_server", (System.nanoTime() - t0) / 1e6, "ms");
            Thread.sleep(1000); // as bench.R waits before reading a daemon's idle RSS
            fig.record("floor_server_idle_rss", ProcStats.memKb(Long.toString(server.pid()))[0], "kB");

            roundTrips(ch, counter, small, nWarm);
            double[] lat = roundTrips(ch, counter, small, nLat);
            Arrays.sort(lat);
            fig.record("floor_latency_median", SessionFigures.quantile(lat, 0.5), "us");
            fig.record("floor_latency_p99", SessionFigures.quantile(lat, 0.99), "us");
            fig.record("floor_latency_mean", SessionFigures.mean(lat), "us");

            burst(ch, counter, large, 1);
            long p0 = System.nanoTime();
            burst(ch, counter, large, nPay);
            double el = (System.nanoTime() - p0) / 1e9;
            fig.record("floor_payload_oneway", nPay * (double) payBytes / 1e6 / el, "MB/s");
            ch.close().await(5, TimeUnit.SECONDS);
        } finally {
            small.release();
            large.release();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            server.getOutputStream().close();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static double[] roundTrips(Channel ch, Counter counter, ByteBuf msg, int n) throws Exception {
        double[] lat = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            burst(ch, counter, msg, 1);
            lat[i] = (System.nanoTime() - t0) / 1e3;
        }
        return lat;
    }

    /** Writes {@code msg} n times (retained duplicates, no copy), one flush, and waits for the n echoes. */
    private static void burst(Channel ch, Counter counter, ByteBuf msg, int n) throws Exception {
        CompletableFuture<Void> done = counter.expect(n);
        for (int i = 0; i < n; i++) {
            ch.write(msg.retainedDuplicate()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
        ch.flush();
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static ByteBuf frame(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return PooledByteBufAllocator.DEFAULT
                .directBuffer(4 + length)
                .writeInt(length)
                .writeBytes(bytes);
    }

    private static int readPort(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("echo server exited before printing its port");
        }
        return Integer.parseInt(line.strip());
    }

    /** Counts echoes on the event loop and completes the waiting burst at its last one. */
    private static final class Counter extends SimpleChannelInboundHandler<ByteBuf> {
        private volatile CompletableFuture<Void> pending;
        private int left; // event loop only, set before the burst is written

        CompletableFuture<Void> expect(int n) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending = f;
            left = n;
            return f;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            if (--left == 0) {
                pending.complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<Void> p = pending;
            if (p != null) {
                p.completeExceptionally(new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Void> p = pending;
            if (p != null) {
                p.completeExceptionally(cause);
            }
            ctx.close();
        }
    }
}
