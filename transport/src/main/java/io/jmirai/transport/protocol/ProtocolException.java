package io.jmirai.transport.protocol;

/**
 * A peer broke the wire protocol: a malformed, oversized or unexpected frame, or a failed handshake. The connection
 * it arrived on is closed; nothing else is affected.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message lowercase, with key=value facts */
    public ProtocolException(String message) {
        super(message);
    }

    /**
     * @param message lowercase, with key=value facts
     * @param cause the underlying failure
     */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @return what a handler's {@code exceptionCaught} should report: the cause a decoder wrapped in Netty's
     *     {@code DecoderException} (such as a {@code ProtocolException}), or {@code t} itself
     */
    public static Throwable unwrap(Throwable t) {
        return t instanceof io.netty.handler.codec.DecoderException && t.getCause() != null ? t.getCause() : t;
    }
}
