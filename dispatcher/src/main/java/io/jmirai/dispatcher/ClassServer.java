package io.jmirai.dispatcher;

import io.jmirai.transport.protocol.BinaryNames;
import io.jmirai.transport.protocol.ClassFrames;
import io.jmirai.transport.protocol.ClassFrames.ClassAnswer;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of remote class loading: answers a daemon's CLASS_REQUEST with the bytes of that class file, read
 * from the class loader of the task the request names (when it is in flight on that connection), else from the
 * dispatcher's class source ({@link DispatcherConfig#classSource()}). Only class files are served: the name must be
 * a binary name ({@link BinaryNames}), outside {@code java.*}, and it maps to exactly one resource,
 * {@code a/b/C.class}; JDK classes (from the runtime image) and class files over {@link ClassFrames#MAX_CLASS_BYTES}
 * (or the connection's frame limit) are refused with a not-found answer that says why. Requests arrive only on an
 * authenticated connection that negotiated {@code CLASS_LOADING} (the connection checks both before this is called).
 *
 * <p>Threading: {@link #request} is called on the dispatcher's event loop and never reads there: a class loader may
 * open a jar, unpack a nested one or fetch over the network, so reading happens on one shared reader thread (started
 * when needed, gone after 30 s idle), which writes the answer to the channel (a thread-safe hand-off to the loop).
 * Each connection may have at most {@link #MAX_OUTSTANDING} requests being answered; a daemon that sends more is in
 * breach of the protocol and its connection is closed. The outstanding count is confined to the event loop.
 */
final class ClassServer {
    /** Requests one connection may have being answered at once (a daemon waits for at most 64). */
    static final int MAX_OUTSTANDING = 256;

    private static final Logger LOG = LoggerFactory.getLogger(ClassServer.class);
    private static final ThreadPoolExecutor READER = reader();

    private final ClassLoader fallback;
    private final int maxBytes;
    private int outstanding; // confined to the event loop

    /**
     * @param fallback where classes come from when the request names no task in flight
     * @param maxFrameLength the connection's frame limit: a class must fit in one frame
     */
    ClassServer(ClassLoader fallback, int maxFrameLength) {
        this.fallback = java.util.Objects.requireNonNull(fallback, "fallback");
        this.maxBytes = Math.min(ClassFrames.MAX_CLASS_BYTES, maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD);
    }

    private static ThreadPoolExecutor reader() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "jmirai-class-server");
            t.setDaemon(true);
            return t;
        });
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /**
     * Answers one request, later, from the reader thread. On the event loop.
     *
     * @param taskLoader the loader of the task the request names, or null to use the fallback
     * @throws ProtocolException if the connection already has {@link #MAX_OUTSTANDING} requests being answered
     */
    void request(Channel ch, long requestId, ClassFrames.ClassRequest request, ClassLoader taskLoader) {
        if (outstanding >= MAX_OUTSTANDING) {
            throw new ProtocolException(
                    "too many class requests at once: outstanding=" + outstanding + ", max=" + MAX_OUTSTANDING);
        }
        outstanding++;
        ClassLoader loader = taskLoader != null ? taskLoader : fallback;
        READER.execute(() -> {
            ClassAnswer answer = read(loader, request.name(), maxBytes);
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "class request: name={}, remote={}, answer={}",
                        BinaryNames.isValid(request.name()) ? request.name() : "(invalid)", // never log raw bytes
                        ch.remoteAddress(),
                        answer.isFound() ? answer.bytes().length + " bytes" : answer.notFound());
            }
            ch.writeAndFlush(answer.frame(ch.alloc(), requestId)).addListener((ChannelFutureListener) f -> {
                outstanding--; // listeners run on the channel's event loop
                if (!f.isSuccess()) {
                    f.channel().close();
                }
            });
        });
    }

    /**
     * Reads class {@code name} from {@code loader}. Never throws.
     *
     * @return the class file, or why it is not served
     */
    static ClassAnswer read(ClassLoader loader, String name, int maxBytes) {
        String problem = BinaryNames.problem(name);
        if (problem != null) {
            return ClassAnswer.notFound(problem);
        }
        try {
            URL url = loader.getResource(BinaryNames.resourceName(name));
            if (url == null) {
                return ClassAnswer.notFound("not found by the task's class loader on the host: name=" + name);
            }
            if ("jrt".equals(url.getProtocol())) {
                return ClassAnswer.notFound("JDK classes are not served (the daemon's JDK has its own): name=" + name);
            }
            try (InputStream in = url.openStream()) {
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    return ClassAnswer.notFound("class file too large: name=" + name + ", maxBytes=" + maxBytes);
                }
                if (bytes.length < 4
                        || (bytes[0] & 0xff) != 0xCA
                        || (bytes[1] & 0xff) != 0xFE
                        || (bytes[2] & 0xff) != 0xBA
                        || (bytes[3] & 0xff) != 0xBE) {
                    return ClassAnswer.notFound("not a class file: name=" + name);
                }
                return ClassAnswer.found(bytes);
            }
        } catch (IOException | RuntimeException e) {
            return ClassAnswer.notFound("cannot read class on the host: name=" + name + ": " + e);
        }
    }
}
