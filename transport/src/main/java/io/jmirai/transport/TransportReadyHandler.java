package io.jmirai.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.URI;

/**
 * The last handler of every scheme's pipeline prefix: turns "the transport is up" — TCP connected, TLS handshake
 * done, WebSocket upgrade done, depending on the scheme — into one {@link TransportReady} event. A failed TLS
 * handshake closes the connection; its cause is kept for the one who asks ({@link #failure()}). Confined to the
 * channel's event loop.
 */
public final class TransportReadyHandler extends ChannelInboundHandlerAdapter {
    private final Scheme scheme;
    private boolean fired;
    private Throwable failure;

    /** @param scheme the connection's scheme */
    public TransportReadyHandler(Scheme scheme) {
        this.scheme = scheme;
    }

    /** @return why the TLS handshake failed, or null */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (scheme == Scheme.TCP) {
            fire(ctx, "");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (!e.isSuccess()) {
                failure = e.cause();
                ctx.close();
            } else if (scheme == Scheme.TLS_TCP) {
                fire(ctx, "");
            }
        } else if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
            fire(ctx, URI.create(hc.requestUri()).getPath());
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            fire(ctx, "");
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void fire(ChannelHandlerContext ctx, String path) {
        if (!fired) {
            fired = true;
            ctx.fireUserEventTriggered(new TransportReady(path == null ? "" : path));
        }
    }
}
