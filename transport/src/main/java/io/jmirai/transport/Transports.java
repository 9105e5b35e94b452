package io.jmirai.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Chooses the Netty I/O transport: native epoll where it loads, NIO elsewhere. Set the system property
 * {@value #NATIVE_PROP_NAME} to {@code false} to force NIO.
 */
public final class Transports {
    /** System property that turns the native transport off when {@code false}. */
    public static final String NATIVE_PROP_NAME = "jmirai.transport.native";

    private static final boolean EPOLL = !"false".equals(System.getProperty(NATIVE_PROP_NAME)) && Epoll.isAvailable();

    private Transports() {}

    /** @return whether the native epoll transport is in use */
    public static boolean isNative() {
        return EPOLL;
    }

    /**
     * Creates an event loop group of daemon threads.
     *
     * @param threads number of threads
     * @param name thread name prefix
     */
    public static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** @return the server channel class matching {@link #newGroup} */
    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** @return the client channel class matching {@link #newGroup} */
    public static Class<? extends Channel> channel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
