package io.jmirai.transport.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Per-daemon keys: what a daemon proves in the handshake is not the session secret but a key derived from it for
 * the daemon's slot and token,
 *
 * <pre>
 *  key = HMAC-SHA256(session secret, "jmirai-daemon-key\0" | i32 slot | token as UTF-8)
 * </pre>
 *
 * The host derives the same key from the slot and token in a HELLO. A launcher that knows the daemon's slot passes
 * the daemon {@link #derive its key} (as text, in place of the secret) rather than the session secret, so a daemon
 * holds nothing that would let it pass for the host to a daemon of another slot or token. A daemon given the session
 * secret itself (slot 0, or started by hand) derives its key the same way. Stateless and thread-safe.
 */
public final class DaemonKeys {
    /** How a derived key's text begins, telling it apart from a session secret (base64url, which has no dot). */
    public static final String PREFIX = "jmk1.";

    private static final byte[] LABEL = "jmirai-daemon-key\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private DaemonKeys() {}

    /**
     * @param sessionSecret the host's session secret
     * @param slot the daemon's slot
     * @param token the slot's token (may be empty)
     * @return the text to give the daemon at {@code slot} instead of the session secret
     */
    public static String derive(String sessionSecret, int slot, String token) {
        Objects.requireNonNull(sessionSecret, "sessionSecret");
        if (sessionSecret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("sessionSecret is already a derived key");
        }
        byte[] key = derive(sessionSecret.getBytes(StandardCharsets.UTF_8), slot, token);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /**
     * @param secret a session secret, or a key's text from {@link #derive(String, int, String)} (as UTF-8 bytes)
     * @return the key a handshake for {@code slot} and {@code token} is proved with: a derived key as it is, else the
     *     key derived from the session secret
     * @throws IllegalArgumentException for an empty secret or a malformed key
     */
    public static byte[] key(byte[] secret, int slot, String token) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("secret is empty");
        }
        if (secret.length > PREFIX_BYTES.length
                && Arrays.equals(secret, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length)) {
            String text = new String(
                    secret, PREFIX_BYTES.length, secret.length - PREFIX_BYTES.length, StandardCharsets.US_ASCII);
            try {
                return Base64.getUrlDecoder().decode(text.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed daemon key: " + e.getMessage(), e);
            }
        }
        return derive(secret, slot, token);
    }

    private static byte[] derive(byte[] sessionSecret, int slot, String token) {
        return Handshake.mac(
                sessionSecret,
                LABEL,
                ByteBuffer.allocate(4).putInt(slot).array(),
                Objects.requireNonNull(token, "token").getBytes(StandardCharsets.UTF_8));
    }
}
