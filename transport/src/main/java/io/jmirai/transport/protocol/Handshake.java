package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake: mutual proof of the per-session secret with HMAC-SHA256, before any other frame is read.
 *
 * <pre>
 *  host                                         daemon
 *   |-- CHALLENGE(hostNonce) ------------------->|
 *   |&lt;-- HELLO(slot, pid, token, daemonNonce,    |
 *   |          HMAC(secret, "hello"|hostNonce|daemonNonce|slot|pid|token)) --|
 *   |-- WELCOME(HMAC(secret, "welcome"|hostNonce|daemonNonce), limits) ----->|
 * </pre>
 *
 * The daemon proves it holds the secret before the host reads anything else from it; the host proves it too, so a
 * daemon never runs tasks from a listener that merely took over the port. All payloads are fixed binary, bounded by
 * {@link FrameHeader#HANDSHAKE_MAX_FRAME_LENGTH}; none is Kryo. Stateless and thread-safe.
 */
public final class Handshake {
    /** Bytes in a nonce. */
    public static final int NONCE_LENGTH = 32;
    /** Bytes in an HMAC-SHA256 proof. */
    public static final int PROOF_LENGTH = 32;
    /** Longest slot token, in bytes. */
    public static final int MAX_TOKEN_LENGTH = 128;
    /** Longest GOODBYE reason text, in bytes. */
    public static final int MAX_REASON_LENGTH = 512;
    /** Environment variable through which a daemon receives the secret. */
    public static final String SECRET_ENV = "JMIRAI_SECRET";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] HELLO_LABEL = "jmirai-hello\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME_LABEL = "jmirai-welcome\0".getBytes(StandardCharsets.US_ASCII);

    private Handshake() {}

    /** @return a fresh random nonce */
    public static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** @return a fresh random secret for a session: 32 random bytes, base64url without padding */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The host's challenge. */
    public record Challenge(byte[] hostNonce) {
        /** Checks the nonce length. */
        public Challenge {
            checkLength("hostNonce", hostNonce, NONCE_LENGTH);
        }

        /** @return the payload, owned by the caller */
        public ByteBuf encode(ByteBufAllocator alloc) {
            return alloc.ioBuffer(NONCE_LENGTH).writeBytes(hostNonce);
        }

        /** Decodes a payload; does not release it. */
        public static Challenge decode(ByteBuf in) {
            Challenge c = new Challenge(readBytes(in, NONCE_LENGTH, "hostNonce"));
            requireEnd(in, "CHALLENGE");
            return c;
        }
    }

    /**
     * The daemon's greeting.
     *
     * @param slot the daemon's slot on the host (0 = any); the host's status rows are kept per slot
     * @param pid the daemon's process id
     * @param token the slot's token (may be empty)
     * @param daemonNonce the daemon's own nonce, for the host's proof
     * @param proof HMAC over the challenge and these fields
     */
    public record Hello(int slot, long pid, String token, byte[] daemonNonce, byte[] proof) {
        /** Checks the fields. */
        public Hello {
            Objects.requireNonNull(token, "token");
            if (token.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("token too long (expected: <= " + MAX_TOKEN_LENGTH + " bytes)");
            }
            checkLength("daemonNonce", daemonNonce, NONCE_LENGTH);
            checkLength("proof", proof, PROOF_LENGTH);
        }

        /** Creates a HELLO that answers a challenge. */
        public static Hello answer(byte[] secret, Challenge challenge, int slot, long pid, String token) {
            byte[] daemonNonce = newNonce();
            return new Hello(
                    slot,
                    pid,
                    token,
                    daemonNonce,
                    helloProof(secret, challenge.hostNonce(), daemonNonce, slot, pid, token));
        }

        /** @return whether the proof is right for this secret and challenge (constant-time comparison) */
        public boolean verify(byte[] secret, Challenge challenge) {
            byte[] expected = helloProof(secret, challenge.hostNonce(), daemonNonce, slot, pid, token);
            return MessageDigest.isEqual(expected, proof);
        }

        /** @return the payload, owned by the caller */
        public ByteBuf encode(ByteBufAllocator alloc) {
            byte[] t = token.getBytes(StandardCharsets.UTF_8);
            ByteBuf out = alloc.ioBuffer(4 + 8 + 2 + t.length + NONCE_LENGTH + PROOF_LENGTH);
            out.writeInt(slot).writeLong(pid).writeShort(t.length).writeBytes(t);
            return out.writeBytes(daemonNonce).writeBytes(proof);
        }

        /** Decodes a payload; does not release it. */
        public static Hello decode(ByteBuf in) {
            need(in, 14, "HELLO");
            int slot = in.readInt();
            long pid = in.readLong();
            int tokenLength = in.readUnsignedShort();
            if (tokenLength > MAX_TOKEN_LENGTH) {
                throw new ProtocolException("token too long: length=" + tokenLength + ", max=" + MAX_TOKEN_LENGTH);
            }
            String token = new String(readBytes(in, tokenLength, "token"), StandardCharsets.UTF_8);
            byte[] nonce = readBytes(in, NONCE_LENGTH, "daemonNonce");
            byte[] proof = readBytes(in, PROOF_LENGTH, "proof");
            requireEnd(in, "HELLO");
            try {
                return new Hello(slot, pid, token, nonce, proof);
            } catch (IllegalArgumentException e) { // a token that is not UTF-8 can grow past the limit when decoded
                throw new ProtocolException("malformed HELLO: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The host's acceptance.
     *
     * @param proof HMAC over both nonces, proving the host holds the secret
     * @param maxFrameLength the frame-length limit from now on, both ways
     * @param heartbeatMillis heartbeat interval, 0 for none
     */
    public record Welcome(byte[] proof, int maxFrameLength, int heartbeatMillis) {
        /** Checks the fields. */
        public Welcome {
            checkLength("proof", proof, PROOF_LENGTH);
            if (heartbeatMillis < 0) {
                throw new IllegalArgumentException("heartbeatMillis : " + heartbeatMillis + " (expected: >= 0)");
            }
            if (maxFrameLength < FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH) {
                throw new IllegalArgumentException("maxFrameLength : " + maxFrameLength + " (expected: >= "
                        + FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH + ")");
            }
        }

        /** Creates the WELCOME that accepts a verified HELLO. */
        public static Welcome accept(
                byte[] secret, Challenge challenge, Hello hello, int maxFrameLength, int heartbeatMillis) {
            return new Welcome(
                    welcomeProof(secret, challenge.hostNonce(), hello.daemonNonce()), maxFrameLength, heartbeatMillis);
        }

        /** @return whether the host's proof is right (constant-time comparison) */
        public boolean verify(byte[] secret, Challenge challenge, Hello hello) {
            return MessageDigest.isEqual(welcomeProof(secret, challenge.hostNonce(), hello.daemonNonce()), proof);
        }

        /** @return the payload, owned by the caller */
        public ByteBuf encode(ByteBufAllocator alloc) {
            return alloc.ioBuffer(PROOF_LENGTH + 8)
                    .writeBytes(proof)
                    .writeInt(maxFrameLength)
                    .writeInt(heartbeatMillis);
        }

        /** Decodes a payload; does not release it. */
        public static Welcome decode(ByteBuf in) {
            byte[] proof = readBytes(in, PROOF_LENGTH, "proof");
            need(in, 8, "WELCOME");
            int max = in.readInt();
            int heartbeat = in.readInt();
            requireEnd(in, "WELCOME");
            if (max < FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH || heartbeat < 0) {
                throw new ProtocolException(
                        "bad WELCOME limits: maxFrameLength=" + max + ", heartbeatMillis=" + heartbeat);
            }
            return new Welcome(proof, max, heartbeat);
        }
    }

    /**
     * A goodbye before closing.
     *
     * @param code the reason code (see the constants)
     * @param reason text for people
     */
    public record Goodbye(int code, String reason) {
        /** Normal shutdown. */
        public static final int NORMAL = 0;
        /** The peer broke the protocol. */
        public static final int PROTOCOL_ERROR = 1;
        /** Authentication failed. */
        public static final int AUTHENTICATION_FAILED = 2;
        /** The daemon reached one of its limits. */
        public static final int LIMIT_REACHED = 3;
        /** The slot is taken or the token is stale. */
        public static final int REJECTED = 4;

        /** Checks the fields. */
        public Goodbye {
            Objects.requireNonNull(reason, "reason");
            if (code < 0 || code > 0xFFFF) {
                throw new IllegalArgumentException("code : " + code + " (expected: 0 to 65535)");
            }
        }

        /** @return the payload, owned by the caller (the reason is cut to {@link #MAX_REASON_LENGTH} bytes) */
        public ByteBuf encode(ByteBufAllocator alloc) {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(text.length, MAX_REASON_LENGTH);
            while (n < text.length && n > 0 && (text[n] & 0xC0) == 0x80) {
                n--; // cut before a UTF-8 continuation byte, never inside a character
            }
            return alloc.ioBuffer(4 + n).writeShort(code).writeShort(n).writeBytes(text, 0, n);
        }

        /** Decodes a payload; does not release it. */
        public static Goodbye decode(ByteBuf in) {
            need(in, 4, "GOODBYE");
            int code = in.readUnsignedShort();
            int n = in.readUnsignedShort();
            if (n > MAX_REASON_LENGTH) {
                throw new ProtocolException("goodbye reason too long: length=" + n);
            }
            String reason = new String(readBytes(in, n, "reason"), StandardCharsets.UTF_8);
            requireEnd(in, "GOODBYE");
            return new Goodbye(code, reason);
        }
    }

    private static byte[] helloProof(
            byte[] secret, byte[] hostNonce, byte[] daemonNonce, int slot, long pid, String token) {
        Mac mac = mac(secret);
        mac.update(HELLO_LABEL);
        mac.update(hostNonce);
        mac.update(daemonNonce);
        mac.update(java.nio.ByteBuffer.allocate(12).putInt(slot).putLong(pid).array());
        mac.update(token.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal();
    }

    private static byte[] welcomeProof(byte[] secret, byte[] hostNonce, byte[] daemonNonce) {
        Mac mac = mac(secret);
        mac.update(WELCOME_LABEL);
        mac.update(hostNonce);
        mac.update(daemonNonce);
        return mac.doFinal();
    }

    private static Mac mac(byte[] secret) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("secret is empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static void checkLength(String name, byte[] bytes, int expected) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length != expected) {
            throw new IllegalArgumentException(name + " length : " + bytes.length + " (expected: " + expected + ")");
        }
    }

    private static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw new ProtocolException("truncated " + what + ": readable=" + in.readableBytes() + ", needed=" + n);
        }
    }

    private static byte[] readBytes(ByteBuf in, int n, String what) {
        need(in, n, what);
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    private static void requireEnd(ByteBuf in, String what) {
        if (in.isReadable()) {
            throw new ProtocolException("trailing bytes after " + what + ": trailing=" + in.readableBytes());
        }
    }
}
