package io.jmirai.transport.protocol;

/**
 * One optional protocol feature a peer can advertise in the handshake ({@link Capabilities}). Bit numbers are
 * protocol: never renumber, only add. {@link #TRACE_CONTEXT} shows a feature that is a flag and a payload prefix on
 * an existing frame type rather than a new type.
 *
 * <p>How a feature uses it, for example a prefetch window:
 *
 * <ol>
 *   <li>add {@code PREFETCH(0)} here, and to the side's advertised set ({@link Capabilities#supported()} holds every
 *       constant by default);
 *   <li>if it needs a parameter (the window size), carry it in a TLV of HELLO or WELCOME ({@link Extensions}); a peer
 *       that does not know the TLV type skips it;
 *   <li>if it needs a new frame type, give that {@link FrameType} {@code requires = PREFETCH}: a sender checks
 *       {@link Negotiated#canSend}, a receiver {@link Negotiated#checkReceived} (a frame the connection did not
 *       negotiate is a protocol error);
 *   <li>switch the behaviour on only when {@link Negotiated#has} says both sides advertised it, so old daemons keep
 *       working with new hosts and the other way round.
 * </ol>
 */
public enum Capability {
    /**
     * Remote class loading: a daemon that cannot load a class a task needs asks the host for its bytes
     * ({@link FrameType#CLASS_REQUEST}, answered by {@link FrameType#CLASS_BYTES}; payloads in {@link ClassFrames}).
     * A host leaves it out with {@code Daemons.builder().shipClasses(false)}, a daemon with {@code --no-class-loading}.
     */
    CLASS_LOADING(0),

    /**
     * The host may send a TASK frame with {@link FrameType.Flags#TASK_TRACE_CONTEXT}: its payload starts with the
     * task's trace context ({@link TaskTrace}).
     */
    TRACE_CONTEXT(1),

    /**
     * The host may take back a task it prefetched to a daemon that has not started it ({@link FrameType#RECALL}); the
     * daemon answers a RESULT flagged {@link FrameType.Flags#RESULT_RECALLED}, or nothing if the task has started.
     */
    RECALL(2),

    /**
     * A role, not a feature: the peer is a <em>client</em> of a server (it submits tasks and asks for jobs), not a
     * daemon. Set only in a client's HELLO; never in {@link Capabilities#supported()}, so no daemon advertises it. A
     * host that accepts clients answers it in WELCOME; the frame types {@link FrameType#REQUEST}, {@link
     * FrameType#REPLY} and {@link FrameType#FAILURE} require it. (Bit 3 is left for another feature.)
     */
    CLIENT(4);

    private final int bit;

    Capability(int bit) {
        if (bit < 0 || bit > 63) {
            throw new IllegalArgumentException("bit : " + bit + " (expected: 0 to 63)");
        }
        this.bit = bit;
    }

    /** @return the capability's bit number (0 to 63) in the advertised set */
    public int bit() {
        return bit;
    }

    /** @return the capability's mask in the advertised set */
    public long mask() {
        return 1L << bit;
    }
}
