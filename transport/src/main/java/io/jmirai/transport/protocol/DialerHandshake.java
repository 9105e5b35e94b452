package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;

/**
 * The dialing side's half of the handshake, for a daemon and for a client of a server alike: answers the host's
 * CHALLENGE with a HELLO (once), then checks the WELCOME's proof of the secret against that challenge and HELLO. What
 * a side does with the outcome (exit, stop redialling, log) stays with it. One per connection attempt; used on that
 * connection's event loop only.
 */
public final class DialerHandshake {
    private final byte[] secret;
    private Handshake.Challenge challenge;
    private Handshake.Hello hello;

    /** @param secret the key this side proves and expects the host to prove (not copied) */
    public DialerHandshake(byte[] secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
    }

    /**
     * @param challengePayload the CHALLENGE frame's payload (not released)
     * @return the HELLO frame that answers it, for this process
     * @throws ProtocolException on a second challenge, or a malformed one
     */
    public ByteBuf hello(
            ByteBufAllocator alloc, ByteBuf challengePayload, int slot, String token, Capabilities advertised) {
        if (challenge != null) {
            throw new ProtocolException("second challenge");
        }
        challenge = Handshake.Challenge.decode(challengePayload);
        hello = Handshake.Hello.answer(
                secret, challenge, slot, ProcessHandle.current().pid(), token, advertised, Extensions.NONE);
        return FrameHeader.frame(alloc, FrameType.HELLO, 0, 0, hello.encode(alloc));
    }

    /**
     * @param welcomePayload the WELCOME frame's payload (not released)
     * @return the WELCOME if the host proved the secret, else null
     * @throws ProtocolException before a challenge was answered, or for a malformed WELCOME
     */
    public Handshake.Welcome welcome(ByteBuf welcomePayload) {
        if (hello == null) {
            throw new ProtocolException("welcome before challenge");
        }
        Handshake.Welcome welcome = Handshake.Welcome.decode(welcomePayload);
        return welcome.verify(secret, challenge, hello) ? welcome : null;
    }

    /** @return what both sides may use, given a WELCOME {@link #welcome} accepted */
    public Negotiated negotiated(Handshake.Welcome welcome) {
        return Negotiated.of(hello, welcome);
    }
}
