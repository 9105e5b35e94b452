package io.jmirai.dispatcher;

import io.jmirai.ErrorValue;
import io.jmirai.transport.protocol.Frame;
import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.Negotiated;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection, server side, once the client has authenticated ({@link DaemonConnection} hands the channel
 * over after a HELLO with {@code Capability.CLIENT}). A TASK frame becomes a {@link TaskRecord} in this server's
 * dispatcher whose payload is the frame's own buffer, never copied or decoded, so it travels client → server → daemon
 * as one reference; its RESULT goes back to this client under the client's task id, its bytes not decoded either. A
 * task that ends without a RESULT (its daemon lost, stopped) is a FAILURE frame with the error code. CANCEL stops the
 * task; REQUEST frames go to the {@link ClientService} (STATUS is answered here). When the client goes, every task it
 * left unresolved is cancelled: the server and its daemons carry on.
 *
 * <p>Threading: confined to the dispatcher's event loop, except the {@link ClientService.Reply}s, which write from any
 * thread (Netty hands the write to the loop).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    /** RESULT flags a client may see: the daemon's notice that it exits is the server's business, not the client's. */
    private static final int FORWARDED_FLAGS =
            FrameType.Flags.RESULT_ERROR | FrameType.Flags.RESULT_CANCELLED | FrameType.Flags.RESULT_INTERRUPTED;

    private final Dispatcher dispatcher;
    private final ClientService service;
    private final Negotiated negotiated;
    private final Map<Long, TaskRecord> forwarded = new HashMap<>(); // client's task id -> the record here
    private Channel channel;

    ClientConnection(Dispatcher dispatcher, ClientService service, Negotiated negotiated) {
        this.dispatcher = dispatcher;
        this.service = service;
        this.negotiated = negotiated;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = Frame.from(msg);
        try {
            negotiated.checkReceived(frame.type());
            switch (frame.type()) {
                case TASK -> task(frame.correlationId(), frame.payload());
                case CANCEL -> {
                    TaskRecord r = forwarded.get(frame.correlationId());
                    if (r != null) {
                        dispatcher.cancel(java.util.List.of(r));
                    }
                }
                case REQUEST -> request(frame.correlationId(), frame.payload());
                case HEARTBEAT -> {}
                case GOODBYE -> ctx.close();
                default -> throw new ProtocolException("unexpected frame from client: type=" + frame.type());
            }
        } finally {
            frame.release();
        }
    }

    private void task(long clientId, ByteBuf payload) {
        if (forwarded.containsKey(clientId)) {
            throw new ProtocolException("task id already in flight: task=" + clientId);
        }
        // hand-off: the record owns this reference to the frame's payload and releases it when the task completes
        TaskRecord r = new TaskRecord(
                dispatcher.newTaskId(), payload.retain().touch("ClientConnection.task"), o -> answer(clientId, o));
        forwarded.put(clientId, r);
        dispatcher.submit(r);
    }

    /** On the loop: the forwarded task resolved; tell the client. */
    private void answer(long clientId, Outcome o) {
        forwarded.remove(clientId);
        if (!channel.isActive()) {
            return;
        }
        ByteBuf frame;
        if (o instanceof Outcome.Result r) {
            frame = FrameHeader.frame(
                    channel.alloc(),
                    FrameType.RESULT,
                    r.flags() & FORWARDED_FLAGS,
                    clientId,
                    Unpooled.wrappedBuffer(r.bytes()));
        } else {
            frame = FrameHeader.frame(channel.alloc(), FrameType.FAILURE, 0, clientId, failure(code(o), message(o)));
        }
        channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** @return a FAILURE payload: i32 code, UTF-8 message */
    static ByteBuf failure(int code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer(4 + text.length).writeInt(code).writeBytes(text);
    }

    private void request(long id, ByteBuf payload) {
        if (!payload.isReadable()) {
            throw new ProtocolException("empty REQUEST: request=" + id);
        }
        int op = payload.readUnsignedByte();
        byte[] args = ByteBufUtil.getBytes(payload);
        Reply reply = new Reply(channel, id);
        if (op == ClientCalls.STATUS) {
            reply.ok(ClientCalls.encodeStatus(dispatcher.status()));
            return;
        }
        try {
            if (op == ClientCalls.EVERYWHERE) {
                everywhere(args, reply, dispatcher::everywhere);
                return;
            }
            if (op == ClientCalls.RESET) {
                everywhere(args, reply, dispatcher::reset);
                return;
            }
            if (ClientSlots.handle(dispatcher, op, args, reply)) {
                return;
            }
            service.request(op, args, reply);
        } catch (RuntimeException e) {
            LOG.warn("client request failed: op={}, cause={}", op, e.toString());
            reply.error(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /**
     * Runs a client's setup on every daemon of this server (and on those that connect later, as embedded {@code
     * everywhere} does), or a reset on every daemon (with {@link Dispatcher#reset}), and answers once every run now
     * has ended, with each outcome undecoded.
     */
    private void everywhere(byte[] setup, Reply reply, PinEverywhere pinEverywhere) {
        List<Outcome> outcomes = new ArrayList<>();
        int[] expected = {-1};
        Runnable answerIfDone = () -> {
            if (expected[0] >= 0 && outcomes.size() == expected[0]) {
                ClientCalls.Out out = new ClientCalls.Out().i32(outcomes.size());
                for (Outcome o : outcomes) {
                    if (o instanceof Outcome.Result r) {
                        out.u8(0).u8(r.flags() & FORWARDED_FLAGS).bytes(r.bytes());
                    } else {
                        out.u8(1).i32(code(o)).str(message(o));
                    }
                }
                reply.ok(out.toBytes());
            }
        };
        // on the loop: everywhere() runs inline and the outcomes arrive later on the same loop, after it returned
        expected[0] = pinEverywhere.apply(
                Unpooled.wrappedBuffer(setup),
                duplicate -> new TaskRecord(dispatcher.newTaskId(), duplicate, o -> {
                    outcomes.add(o);
                    answerIfDone.run();
                }));
        answerIfDone.run();
    }

    /** {@link Dispatcher#everywhere} or {@link Dispatcher#reset}: one run per daemon, returning how many. */
    private interface PinEverywhere {
        int apply(
                io.netty.buffer.ByteBuf payload,
                java.util.function.Function<io.netty.buffer.ByteBuf, TaskRecord> newRecord);
    }

    private static int code(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return f.code();
        }
        return o instanceof Outcome.Lost ? ErrorValue.CONNECTION_RESET : ErrorValue.RETRIES_EXHAUSTED;
    }

    private static String message(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return f.message();
        }
        return (o instanceof Outcome.Lost l ? l.message() : ((Outcome.RetriesExhausted) o).message())
                + " (at the server)";
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!forwarded.isEmpty()) {
            dispatcher.cancel(new ArrayList<>(forwarded.values())); // the client is gone: nobody wants these
            forwarded.clear();
        }
        LOG.info("client disconnected: remote={}", ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("closing client connection: remote={}, cause={}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Writes the REPLY of one request, once. Thread-safe. */
    private static final class Reply implements ClientService.Reply {
        private final Channel channel;
        private final long id;
        private final AtomicBoolean sent = new AtomicBoolean();

        Reply(Channel channel, long id) {
            this.channel = channel;
            this.id = id;
        }

        @Override
        public void ok(byte[] payload) {
            send(0, payload);
        }

        @Override
        public void error(String message) {
            send(FrameType.Flags.REPLY_ERROR, message.getBytes(StandardCharsets.UTF_8));
        }

        private void send(int flags, byte[] payload) {
            if (sent.compareAndSet(false, true) && channel.isActive()) {
                channel.writeAndFlush(FrameHeader.frame(
                                channel.alloc(), FrameType.REPLY, flags, id, Unpooled.wrappedBuffer(payload)))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }
}
