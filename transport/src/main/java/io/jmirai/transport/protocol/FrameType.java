package io.jmirai.transport.protocol;

/**
 * The frame types of the wire protocol. Codes are protocol: never renumber, only add. A type added later
 * {@link #requires() requires} a {@link Capability}: it is sent only to a peer that advertised it, and a type a
 * receiver does not know is a protocol error (see {@link Negotiated}).
 *
 * <table>
 *   <caption>Frame types</caption>
 *   <tr><th>code</th><th>type</th><th>direction</th><th>correlation id</th><th>payload</th></tr>
 *   <tr><td>0x01</td><td>HELLO</td><td>daemon → host</td><td>0</td><td>{@link Handshake.Hello}</td></tr>
 *   <tr><td>0x02</td><td>WELCOME</td><td>host → daemon</td><td>0</td><td>{@link Handshake.Welcome}</td></tr>
 *   <tr><td>0x03</td><td>TASK</td><td>host → daemon</td><td>task id</td><td>opaque Kryo bytes</td></tr>
 *   <tr><td>0x04</td><td>RESULT</td><td>daemon → host</td><td>task id</td><td>Kryo value, or an error</td></tr>
 *   <tr><td>0x05</td><td>CANCEL</td><td>host → daemon</td><td>task id</td><td>empty</td></tr>
 *   <tr><td>0x06</td><td>HEARTBEAT</td><td>both</td><td>sequence</td><td>empty</td></tr>
 *   <tr><td>0x07</td><td>GOODBYE</td><td>both</td><td>0</td><td>{@link Handshake.Goodbye}</td></tr>
 *   <tr><td>0x08</td><td>CHALLENGE</td><td>host → daemon</td><td>0</td><td>{@link Handshake.Challenge}</td></tr>
 *   <tr><td>0x09</td><td>CLASS_REQUEST</td><td>daemon → host</td><td>request id</td><td>{@link ClassFrames}
 *       (needs {@link Capability#CLASS_LOADING})</td></tr>
 *   <tr><td>0x0a</td><td>CLASS_BYTES</td><td>host → daemon</td><td>request id</td><td>{@link ClassFrames}
 *       (needs {@link Capability#CLASS_LOADING})</td></tr>
 *   <tr><td>0x0b</td><td>REQUEST</td><td>client → server</td><td>request id</td><td>operation code (u8) and its
 *       binary arguments</td></tr>
 *   <tr><td>0x0c</td><td>REPLY</td><td>server → client</td><td>request id</td><td>the answer; flag bit 0: the
 *       request failed, the payload is a UTF-8 message</td></tr>
 *   <tr><td>0x0d</td><td>FAILURE</td><td>server → client</td><td>task id</td><td>i32 error code, UTF-8 message: a
 *       task forwarded by the server ended without a RESULT (its daemon lost, cancelled, ...)</td></tr>
 *   <tr><td>0x0e</td><td>RECALL</td><td>host → daemon</td><td>task id</td><td>empty; needs
 *       {@link Capability#RECALL}</td></tr>
 * </table>
 *
 * <p>On a client's connection to a server ({@link Capability#CLIENT}) the client plays the host's part for TASK and
 * CANCEL and the server the daemon's part for RESULT: the server forwards TASK payloads to its daemons and RESULT
 * payloads back without decoding either.
 *
 */
public enum FrameType {
    /** The daemon's proof that it holds the session secret. */
    HELLO(0x01, 0),
    /** The host's acceptance, with its own proof and the connection's limits. */
    WELCOME(0x02, 0),
    /**
     * A task for the daemon to evaluate. Flag bit 0 ({@link Flags#TASK_TRACE_CONTEXT}, only on a connection that
     * negotiated {@link Capability#TRACE_CONTEXT}): the payload starts with the task's {@link TaskTrace}.
     */
    TASK(0x03, Flags.TASK_TRACE_CONTEXT),
    /**
     * A task's outcome. Flag bit 0: the task threw (payload is an error); bit 1: it was cancelled by a CANCEL frame;
     * bit 2: it was interrupted by a signal to the daemon process; bit 3: the daemon exits after this result (a limit,
     * or recycling), so the host sends it nothing more; bit 4: the task was recalled before it started (only on a
     * connection that negotiated {@link Capability#RECALL}).
     */
    RESULT(
            0x04,
            Flags.RESULT_ERROR
                    | Flags.RESULT_CANCELLED
                    | Flags.RESULT_INTERRUPTED
                    | Flags.RESULT_LAST
                    | Flags.RESULT_RECALLED),
    /** Asks the daemon to interrupt the task with this id. */
    CANCEL(0x05, 0),
    /** Keeps an idle connection alive. */
    HEARTBEAT(0x06, 0),
    /** The sender is closing the connection, with a reason. */
    GOODBYE(0x07, 0),
    /** The host's fresh random challenge, sent first on every connection. */
    CHALLENGE(0x08, 0),
    /** A daemon asks for the bytes of a class it cannot load (remote class loading). */
    CLASS_REQUEST(0x09, 0, Capabilities.of(Capability.CLASS_LOADING)),
    /**
     * The host's answer to a CLASS_REQUEST with the same correlation id: the class file's bytes, or, with flag bit 0
     * ({@link Flags#CLASS_NOT_FOUND}), the reason the host does not serve it.
     */
    CLASS_BYTES(0x0a, Flags.CLASS_NOT_FOUND, Capabilities.of(Capability.CLASS_LOADING)),
    /** A client's request to a server (status, shutdown, jobs): {@code io.jmirai.dispatcher.ClientCalls}. */
    REQUEST(0x0b, 0, Capabilities.of(Capability.CLIENT)),
    /** The server's answer to a REQUEST. Flag bit 0: the request failed; the payload is a UTF-8 message. */
    REPLY(0x0c, Flags.REPLY_ERROR, Capabilities.of(Capability.CLIENT)),
    /** A forwarded task ended without a RESULT, at the server: i32 code and UTF-8 message. */
    FAILURE(0x0d, 0, Capabilities.of(Capability.CLIENT)),
    /**
     * Asks the daemon to give back the task with this id if it has not started it (a prefetched task that an idle
     * daemon could start sooner): the daemon drops it and answers a RESULT flagged {@link Flags#RESULT_RECALLED} with
     * an empty payload; a task that has started is left alone and answers as usual.
     */
    RECALL(0x0e, 0, Capabilities.of(Capability.RECALL));

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int allowedFlags;
    private final Capabilities requires;

    FrameType(int code, int allowedFlags) {
        this(code, allowedFlags, Capabilities.NONE);
    }

    /** A type added after version 1 names the capability a peer must advertise to be sent it. */
    FrameType(int code, int allowedFlags, Capabilities requires) {
        this.code = code;
        this.allowedFlags = allowedFlags;
        this.requires = requires;
    }

    /** @return the type's code on the wire */
    public int code() {
        return code;
    }

    /** @return the flag bits this type may carry; the rest are reserved and must be zero */
    public int allowedFlags() {
        return allowedFlags;
    }

    /**
     * @return the capabilities both sides must have advertised before this type may be sent ({@link Negotiated});
     *     none for the types of protocol version 1
     */
    public Capabilities requires() {
        return requires;
    }

    /**
     * @param code a code read from the wire
     * @return the type
     * @throws ProtocolException for an unknown code
     */
    public static FrameType fromCode(int code) {
        FrameType t = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) {
            throw new ProtocolException("unknown frame type: code=0x" + Integer.toHexString(code)
                    + " (this side never advertised a capability for it; a peer may send a new frame type only after"
                    + " both sides advertised it in the handshake)");
        }
        return t;
    }

    /** Flag bits. */
    public static final class Flags {
        /**
         * TASK: the payload starts with the task's trace context ({@link TaskTrace}), then the task. Sent only on a
         * connection that negotiated {@link Capability#TRACE_CONTEXT}; a task with no trace context has no prefix.
         */
        public static final int TASK_TRACE_CONTEXT = 1;

        /** RESULT: the task threw; the payload is an encoded {@code RemoteError}. */
        public static final int RESULT_ERROR = 1;
        /**
         * RESULT: the task was cancelled by a CANCEL frame (interrupted if it was running, dropped if it was still
         * queued at the daemon; the payload is then empty).
         */
        public static final int RESULT_CANCELLED = 1 << 1;
        /** RESULT: the task was interrupted by a signal to the daemon process. */
        public static final int RESULT_INTERRUPTED = 1 << 2;
        /**
         * RESULT: the daemon exits after this result (its task limit or wall time, the host gone with autoexit
         * after-task, or recycling after an error that may have damaged its JVM); the host assigns it nothing more.
         * Says nothing about the task's outcome.
         */
        public static final int RESULT_LAST = 1 << 3;
        /**
         * RESULT: the answer to a RECALL: the task was dropped without running (payload empty) and the host may send
         * it elsewhere. Only on a connection that negotiated {@link Capability#RECALL}.
         */
        public static final int RESULT_RECALLED = 1 << 4;
        /** CLASS_BYTES: the host does not serve this class; the payload is the reason (UTF-8 text). */
        public static final int CLASS_NOT_FOUND = 1;
        /** REPLY: the request failed; the payload is a UTF-8 message. */
        public static final int REPLY_ERROR = 1;

        private Flags() {}
    }
}
