package io.jmirai.transport.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake: mutual proof of a per-daemon key with HMAC-SHA256, and agreement on a protocol version and
 * capabilities, before any other frame is read.
 *
 * <pre>
 *  host                                                         daemon
 *   |-- CHALLENGE(hostNonce) ----------------------------------->|
 *   |&lt;-- HELLO(ver, capabilities, slot, pid, daemonNonce, TLV: token, …;
 *   |          proof = HMAC(key, "jmirai-hello\0" | hostNonce | HELLO before the proof)) --|
 *   |-- WELCOME(ver, capabilities, limits, TLV: …;
 *   |          proof = HMAC(key, "jmirai-welcome\0" | hostNonce | HELLO's proof | WELCOME before the proof)) ->|
 *
 *  key = HMAC(session secret, "jmirai-daemon-key\0" | slot | token)        ({@link DaemonKeys})
 * </pre>
 *
 * The daemon proves it holds its key before the host reads anything else from it; the host proves it too, so a
 * daemon never runs tasks from a listener that merely took over the port. The key is the daemon's own: a daemon
 * launched for a slot gets only that key, never the session secret, so it cannot pass for the host to any other
 * daemon; the labels keep a HELLO proof from serving as a WELCOME proof. Both proofs cover every byte of their frame
 * (version, capabilities, all TLV entries, known or not), and WELCOME's covers HELLO's, so nothing can be added,
 * stripped or downgraded in transit. HELLO and WELCOME are a fixed head plus a TLV tail ({@link Extensions}); a peer
 * skips TLV types and capability bits it does not know, so the handshake grows without a flag day ({@link Capability}
 * says how). What the two settled is a {@link Negotiated}. All payloads are binary, bounded by
 * {@link FrameHeader#HANDSHAKE_MAX_FRAME_LENGTH}; none is Kryo. Stateless and thread-safe.
 *
 * <p>Over 400 lines on purpose: the four handshake messages stay nested here so their names ({@code Handshake.Hello},
 * …) stay stable for both sides, and each layout is drawn next to its code; the parts that are not messages live
 * apart ({@link Extensions}, {@link Capabilities}, {@link Negotiated}, {@link DaemonKeys}).
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
    /** The highest protocol version this code speaks (HELLO's and WELCOME's {@code ver}). */
    public static final int PROTOCOL_VERSION = 1;
    /** The lowest protocol version this code still speaks. */
    public static final int MIN_PROTOCOL_VERSION = 1;
    /** Environment variable through which a daemon receives the secret (or its own key). */
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
     * The daemon's greeting: a fixed head, a TLV tail, and the daemon's proof over everything before it. Big-endian:
     *
     * <pre>
     *  0      2                10      14                22                                 54
     *  +------+----------------+-------+-----------------+----------------------------------+-----------+------------+
     *  | ver  |  capabilities  | slot  |       pid       |        daemon nonce (32)         | TLV tail  | proof (32) |
     *  +------+----------------+-------+-----------------+----------------------------------+-----------+------------+
     *  ver          the highest protocol version the daemon speaks
     *  capabilities what the daemon can do ({@link Capabilities}, 64 bits)
     *  slot         the daemon's slot on the host (0 = any); the host's status rows are kept per slot
     *  TLV tail     {@link Extensions}, up to the proof: 0x0001 TOKEN = the slot's token (UTF-8, at most 128 bytes,
     *               absent when empty); unknown types are skipped
     *  proof        HMAC-SHA256(key, "jmirai-hello\0" | hostNonce | every byte before the proof)
     *  key          {@link DaemonKeys#key}: HMAC-SHA256(session secret, "jmirai-daemon-key\0" | slot | token)
     * </pre>
     *
     * Immutable.
     */
    public static final class Hello {
        /** Bytes in the fixed head. */
        public static final int HEAD_LENGTH = 2 + 8 + 4 + 8 + NONCE_LENGTH;
        /** TLV type of the slot's token. */
        public static final int TOKEN = 0x0001;

        private final int version;
        private final Capabilities capabilities;
        private final int slot;
        private final long pid;
        private final String token;
        private final byte[] daemonNonce;
        private final Extensions extensions;
        private final byte[] body;
        private final byte[] proof;

        private Hello(
                int version,
                Capabilities capabilities,
                int slot,
                long pid,
                String token,
                byte[] daemonNonce,
                Extensions extensions,
                byte[] body,
                byte[] proof) {
            this.version = version;
            this.capabilities = capabilities;
            this.slot = slot;
            this.pid = pid;
            this.token = token;
            this.daemonNonce = daemonNonce;
            this.extensions = extensions;
            this.body = body;
            this.proof = proof;
        }

        /** Creates a HELLO that answers a challenge, advertising {@link Capabilities#supported()} and no extensions. */
        public static Hello answer(byte[] secret, Challenge challenge, int slot, long pid, String token) {
            return answer(secret, challenge, slot, pid, token, Capabilities.supported(), Extensions.NONE);
        }

        /**
         * Creates a HELLO that answers a challenge.
         *
         * @param secret the session secret, or the daemon's own key from {@link DaemonKeys#derive}
         * @param extensions extra TLV entries (not {@link #TOKEN}, which {@code token} fills)
         */
        public static Hello answer(
                byte[] secret,
                Challenge challenge,
                int slot,
                long pid,
                String token,
                Capabilities capabilities,
                Extensions extensions) {
            return create(secret, challenge, PROTOCOL_VERSION, capabilities, slot, pid, token, newNonce(), extensions);
        }

        static Hello create(
                byte[] secret,
                Challenge challenge,
                int version,
                Capabilities capabilities,
                int slot,
                long pid,
                String token,
                byte[] daemonNonce,
                Extensions extensions) {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(capabilities, "capabilities");
            checkLength("daemonNonce", daemonNonce, NONCE_LENGTH);
            byte[] t = token.getBytes(StandardCharsets.UTF_8);
            if (t.length > MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("token too long (expected: <= " + MAX_TOKEN_LENGTH + " bytes)");
            }
            if (extensions.has(TOKEN)) {
                throw new IllegalArgumentException("extensions : TOKEN (expected: given as token)");
            }
            Extensions.Builder all = Extensions.builder();
            if (t.length > 0) {
                all.put(TOKEN, t);
            }
            for (int type : extensions.types()) {
                all.put(type, extensions.get(type).orElseThrow());
            }
            Extensions ext = all.build();
            ByteBuf b = Unpooled.buffer(HEAD_LENGTH + ext.encodedLength());
            b.writeShort(version).writeLong(capabilities.bits()).writeInt(slot).writeLong(pid);
            b.writeBytes(daemonNonce);
            ext.encode(b);
            byte[] body = ByteBufUtil.getBytes(b);
            byte[] proof = mac(DaemonKeys.key(secret, slot, token), HELLO_LABEL, challenge.hostNonce(), body);
            return new Hello(version, capabilities, slot, pid, token, daemonNonce.clone(), ext, body, proof);
        }

        /**
         * @param secret the host's session secret (the daemon's key is derived from it for this slot and token)
         * @return whether the proof is right for this secret and challenge (constant-time comparison)
         */
        public boolean verify(byte[] secret, Challenge challenge) {
            byte[] expected = mac(DaemonKeys.key(secret, slot, token), HELLO_LABEL, challenge.hostNonce(), body);
            return MessageDigest.isEqual(expected, proof);
        }

        /** @return the payload, owned by the caller */
        public ByteBuf encode(ByteBufAllocator alloc) {
            return alloc.ioBuffer(body.length + PROOF_LENGTH).writeBytes(body).writeBytes(proof);
        }

        /** Decodes a payload (all of it: the tail runs up to the proof); does not release it. */
        public static Hello decode(ByteBuf in) {
            need(in, HEAD_LENGTH + PROOF_LENGTH, "HELLO");
            int start = in.readerIndex();
            int end = in.writerIndex() - PROOF_LENGTH;
            int version = in.readUnsignedShort();
            Capabilities capabilities = new Capabilities(in.readLong());
            int slot = in.readInt();
            long pid = in.readLong();
            byte[] nonce = readBytes(in, NONCE_LENGTH, "daemonNonce");
            Extensions ext = Extensions.decode(in, end - in.readerIndex(), "HELLO");
            String token = "";
            if (ext.has(TOKEN)) {
                byte[] t = ext.get(TOKEN).orElseThrow();
                if (t.length > MAX_TOKEN_LENGTH) {
                    throw new ProtocolException("token too long: length=" + t.length + ", max=" + MAX_TOKEN_LENGTH);
                }
                token = utf8(t, "token");
            }
            byte[] body = ByteBufUtil.getBytes(in, start, end - start);
            byte[] proof = readBytes(in, PROOF_LENGTH, "proof");
            return new Hello(version, capabilities, slot, pid, token, nonce, ext, body, proof);
        }

        /** @return the highest protocol version the daemon speaks */
        public int version() {
            return version;
        }

        /** @return what the daemon advertised */
        public Capabilities capabilities() {
            return capabilities;
        }

        /** @return the daemon's slot (0 = any) */
        public int slot() {
            return slot;
        }

        /** @return the daemon's process id */
        public long pid() {
            return pid;
        }

        /** @return the slot's token (may be empty) */
        public String token() {
            return token;
        }

        /** @return the daemon's nonce (a copy) */
        public byte[] daemonNonce() {
            return daemonNonce.clone();
        }

        /** @return the TLV tail as received or sent, {@link #TOKEN} included */
        public Extensions extensions() {
            return extensions;
        }

        /** @return the proof (a copy) */
        public byte[] proof() {
            return proof.clone();
        }

        @Override
        public String toString() {
            return "Hello{version=" + version + ", capabilities=" + capabilities + ", slot=" + slot + ", pid=" + pid
                    + ", extensions=" + extensions + "}";
        }
    }

    /**
     * The host's acceptance: a fixed head, a TLV tail, and the host's proof, which also covers the daemon's HELLO.
     * Big-endian:
     *
     * <pre>
     *  0      2                10                14                18
     *  +------+----------------+-----------------+-----------------+-----------+------------+
     *  | ver  |  capabilities  | max frame length| heartbeat millis| TLV tail  | proof (32) |
     *  +------+----------------+-----------------+-----------------+-----------+------------+
     *  ver              the protocol version of the connection: min(host's highest, HELLO's ver)
     *  capabilities     what the host can do; the connection may use what both advertised ({@link Negotiated})
     *  max frame length the frame-length limit from now on, both ways (at least 1024)
     *  heartbeat millis heartbeat interval, 0 for none
     *  TLV tail         {@link Extensions}, up to the proof; no types defined yet; unknown types are skipped
     *  proof            HMAC-SHA256(key, "jmirai-welcome\0" | hostNonce | HELLO's proof | every byte before the proof)
     *  key              the same per-daemon key as HELLO's; the label tells the roles apart
     * </pre>
     *
     * Immutable.
     */
    public static final class Welcome {
        /** Bytes in the fixed head. */
        public static final int HEAD_LENGTH = 2 + 8 + 4 + 4;

        private final int version;
        private final Capabilities capabilities;
        private final int maxFrameLength;
        private final int heartbeatMillis;
        private final Extensions extensions;
        private final byte[] body;
        private final byte[] proof;

        private Welcome(
                int version,
                Capabilities capabilities,
                int maxFrameLength,
                int heartbeatMillis,
                Extensions extensions,
                byte[] body,
                byte[] proof) {
            this.version = version;
            this.capabilities = capabilities;
            this.maxFrameLength = maxFrameLength;
            this.heartbeatMillis = heartbeatMillis;
            this.extensions = extensions;
            this.body = body;
            this.proof = proof;
        }

        /** Creates the WELCOME that accepts a verified HELLO, advertising {@link Capabilities#supported()}. */
        public static Welcome accept(
                byte[] secret, Challenge challenge, Hello hello, int maxFrameLength, int heartbeatMillis) {
            return accept(
                    secret,
                    challenge,
                    hello,
                    maxFrameLength,
                    heartbeatMillis,
                    Capabilities.supported(),
                    Extensions.NONE);
        }

        /**
         * Creates the WELCOME that accepts a verified HELLO.
         *
         * @param secret the host's session secret
         * @throws ProtocolException if the daemon speaks no protocol version this host does
         */
        public static Welcome accept(
                byte[] secret,
                Challenge challenge,
                Hello hello,
                int maxFrameLength,
                int heartbeatMillis,
                Capabilities capabilities,
                Extensions extensions) {
            checkLimits(maxFrameLength, heartbeatMillis);
            int version = Math.min(PROTOCOL_VERSION, hello.version());
            if (version < MIN_PROTOCOL_VERSION) {
                throw new ProtocolException("daemon speaks no protocol version this host does: version="
                        + hello.version() + ", supported=" + MIN_PROTOCOL_VERSION + ".." + PROTOCOL_VERSION);
            }
            ByteBuf b = Unpooled.buffer(HEAD_LENGTH + extensions.encodedLength());
            b.writeShort(version)
                    .writeLong(capabilities.bits())
                    .writeInt(maxFrameLength)
                    .writeInt(heartbeatMillis);
            extensions.encode(b);
            byte[] body = ByteBufUtil.getBytes(b);
            byte[] proof = welcomeProof(secret, challenge, hello, body);
            return new Welcome(version, capabilities, maxFrameLength, heartbeatMillis, extensions, body, proof);
        }

        /**
         * @param secret the daemon's secret: the session secret or its own derived key
         * @return whether the host's proof is right (constant-time comparison)
         */
        public boolean verify(byte[] secret, Challenge challenge, Hello hello) {
            return MessageDigest.isEqual(welcomeProof(secret, challenge, hello, body), proof);
        }

        private static byte[] welcomeProof(byte[] secret, Challenge challenge, Hello hello, byte[] body) {
            return mac(
                    DaemonKeys.key(secret, hello.slot(), hello.token()),
                    WELCOME_LABEL,
                    challenge.hostNonce(),
                    hello.proof,
                    body);
        }

        /** @return the payload, owned by the caller */
        public ByteBuf encode(ByteBufAllocator alloc) {
            return alloc.ioBuffer(body.length + PROOF_LENGTH).writeBytes(body).writeBytes(proof);
        }

        /** Decodes a payload (all of it: the tail runs up to the proof); does not release it. */
        public static Welcome decode(ByteBuf in) {
            need(in, HEAD_LENGTH + PROOF_LENGTH, "WELCOME");
            int start = in.readerIndex();
            int end = in.writerIndex() - PROOF_LENGTH;
            int version = in.readUnsignedShort();
            Capabilities capabilities = new Capabilities(in.readLong());
            int max = in.readInt();
            int heartbeat = in.readInt();
            if (max < FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH || heartbeat < 0) {
                throw new ProtocolException(
                        "bad WELCOME limits: maxFrameLength=" + max + ", heartbeatMillis=" + heartbeat);
            }
            Extensions ext = Extensions.decode(in, end - in.readerIndex(), "WELCOME");
            byte[] body = ByteBufUtil.getBytes(in, start, end - start);
            byte[] proof = readBytes(in, PROOF_LENGTH, "proof");
            return new Welcome(version, capabilities, max, heartbeat, ext, body, proof);
        }

        private static void checkLimits(int maxFrameLength, int heartbeatMillis) {
            if (heartbeatMillis < 0) {
                throw new IllegalArgumentException("heartbeatMillis : " + heartbeatMillis + " (expected: >= 0)");
            }
            if (maxFrameLength < FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH) {
                throw new IllegalArgumentException("maxFrameLength : " + maxFrameLength + " (expected: >= "
                        + FrameHeader.HANDSHAKE_MAX_FRAME_LENGTH + ")");
            }
        }

        /** @return the protocol version of the connection */
        public int version() {
            return version;
        }

        /** @return what the host advertised */
        public Capabilities capabilities() {
            return capabilities;
        }

        /** @return the frame-length limit from now on, both ways */
        public int maxFrameLength() {
            return maxFrameLength;
        }

        /** @return the heartbeat interval, 0 for none */
        public int heartbeatMillis() {
            return heartbeatMillis;
        }

        /** @return the TLV tail as received or sent */
        public Extensions extensions() {
            return extensions;
        }

        /** @return the proof (a copy) */
        public byte[] proof() {
            return proof.clone();
        }

        @Override
        public String toString() {
            return "Welcome{version=" + version + ", capabilities=" + capabilities + ", maxFrameLength="
                    + maxFrameLength + ", heartbeatMillis=" + heartbeatMillis + ", extensions=" + extensions + "}";
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

    static byte[] mac(byte[] key, byte[]... parts) {
        Mac mac = hmac(key);
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    static Mac hmac(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("secret is empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(what + " is not UTF-8: length=" + bytes.length, e);
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
