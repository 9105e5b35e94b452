package io.jmirai.dispatcher;

import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.Pipelines;
import io.jmirai.transport.Transports;
import io.jmirai.transport.log.LogLimiter;
import io.jmirai.transport.protocol.FrameDecoder;
import io.jmirai.transport.protocol.FrameHeader;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket and admission: binds the configured URL on the dispatcher's loop, gives every accepted
 * channel the scheme's pipeline prefix, a handshake-sized frame decoder and a fresh {@link DaemonConnection}, keeps
 * every channel in one group (to close them all), and caps how many connections may be authenticating at once, in all and per source address.
 *
 * <p>Threading: constructed on any thread; everything else is confined to the dispatcher's event loop.
 */
final class DaemonListener {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonListener.class);
    /** Refused handshakes are logged at most once per this interval: strangers can cause them at will. */
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    private final LogLimiter refusals = new LogLimiter(REFUSAL_LOG_INTERVAL);
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final ListenUrl url;
    private final AdmissionLimiter admission;

    /**
     * Binds {@code config.url()} on {@code loop}.
     *
     * @param newConnection makes the handler of one accepted channel
     * @throws IllegalStateException if the URL cannot be bound (the caller shuts the loop down)
     */
    DaemonListener(DispatcherConfig config, EventLoop loop, Supplier<DaemonConnection> newConnection) {
        this.channels = new DefaultChannelGroup("jmirai-daemons", loop);
        this.admission = new AdmissionLimiter(config.maxUnauthenticated());
        Channel bound;
        try {
            bound = new ServerBootstrap()
                    .group(loop)
                    .channel(Transports.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            Pipelines.addServerPrefix(
                                    ch.pipeline(), config.url().scheme(), config.ssl(), config.handshakeTimeout());
                            ch.pipeline()
                                    .addLast(new FrameDecoder(FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH))
                                    .addLast(newConnection.get());
                        }
                    })
                    .bind(config.url().host(), config.url().port())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            throw new IllegalStateException("cannot listen: url=" + config.url() + ": " + why(e, config.url()), e);
        }
        this.serverChannel = bound;
        this.url = config.url()
                .withPort(((InetSocketAddress) bound.localAddress()).getPort())
                .withPath("");
    }

    /** A listener that binds nothing (a client's dispatcher): no connection is accepted; {@code url} is shown. */
    private DaemonListener(ListenUrl url, EventLoop loop) {
        this.channels = new DefaultChannelGroup("jmirai-server-link", loop);
        this.admission = new AdmissionLimiter(1);
        this.serverChannel = null;
        this.url = url;
    }

    /** @return a listener that listens nowhere, for a client's dispatcher, which dials its server instead */
    static DaemonListener unbound(ListenUrl url, EventLoop loop) {
        return new DaemonListener(url, loop);
    }

    /** Why a bind failed, in words: some JDK exceptions have no message (an unresolvable host has none). */
    static String why(Throwable e, ListenUrl url) {
        if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
            return "cannot resolve host: host=" + url.host();
        }
        String message = e.getMessage();
        return message != null ? message : e.getClass().getName();
    }

    /** A connection was refused before it authenticated: logged, rate-limited (never with the secret or a token). */
    void refused(Channel ch, String reason) {
        long skipped = refusals.tryAcquire();
        if (skipped >= 0) {
            LOG.warn(
                    "handshake refused: remote={}, reason={} ({} more refused in the last {} s, not logged)",
                    ch.remoteAddress(),
                    reason,
                    skipped,
                    REFUSAL_LOG_INTERVAL.toSeconds());
        }
    }

    /** @return the URL daemons dial, with the bound port and no path */
    ListenUrl url() {
        return url;
    }

    /** @return every accepted channel, for closing */
    ChannelGroup channels() {
        return channels;
    }

    /**
     * @return whether one more connection from {@code remote} may start authenticating (then it counts until
     *     {@link #authenticated}); see {@link AdmissionLimiter} for the per-source share
     */
    boolean admit(java.net.SocketAddress remote) {
        return admission.admit(remote);
    }

    /** An admitted connection from {@code remote} authenticated or closed. */
    void authenticated(java.net.SocketAddress remote) {
        admission.release(remote);
    }

    /** Stops accepting. */
    void closeServer() {
        if (serverChannel != null) {
            serverChannel.close();
        }
    }
}
