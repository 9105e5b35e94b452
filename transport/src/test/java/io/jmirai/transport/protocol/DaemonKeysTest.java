package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DaemonKeysTest {
    private static final String SECRET = "jmirai-test-secret";
    /** HMAC-SHA256("jmirai-test-secret", "jmirai-daemon-key\0" | i32 7 | "tok"), from Python. */
    private static final String GOLDEN_KEY = "dc73d44df44b49fc2d0c61f9f5d40b1ad066e5503e34dc5888d86c51f4d0515b";

    private final Handshake.Challenge challenge = new Handshake.Challenge(Handshake.newNonce());

    @Test
    void shouldDeriveTheKeyAsSpecified() {
        assertThat(ByteBufUtil.hexDump(DaemonKeys.key(bytes(SECRET), 7, "tok"))).isEqualTo(GOLDEN_KEY);
        assertThat(DaemonKeys.derive(SECRET, 7, "tok")).isEqualTo("jmk1.3HPUTfRLSfwtDGH59dQLGtBm5VA-NNxYiNhsUfTQUVs");
        assertThat(ByteBufUtil.hexDump(DaemonKeys.key(bytes(DaemonKeys.derive(SECRET, 7, "tok")), 7, "tok")))
                .as("a derived key is used as it is")
                .isEqualTo(GOLDEN_KEY);
    }

    @Test
    void shouldDeriveADifferentKeyForEverySlotAndToken() {
        String k = DaemonKeys.derive(SECRET, 1, "a");
        assertThat(DaemonKeys.derive(SECRET, 2, "a")).isNotEqualTo(k);
        assertThat(DaemonKeys.derive(SECRET, 1, "b")).isNotEqualTo(k);
        assertThat(DaemonKeys.derive(SECRET + "x", 1, "a")).isNotEqualTo(k);
        assertThat(k).doesNotContain(SECRET);
    }

    @Test
    void shouldLetADaemonWithItsKeyPassTheHostsCheck() {
        byte[] key = bytes(DaemonKeys.derive(SECRET, 3, "t3"));
        Handshake.Hello hello = Handshake.Hello.answer(key, challenge, 3, 99, "t3");
        assertThat(hello.verify(bytes(SECRET), challenge)).isTrue();
        Handshake.Welcome welcome = Handshake.Welcome.accept(bytes(SECRET), challenge, hello, 1 << 20, 0);
        assertThat(welcome.verify(key, challenge, hello))
                .as("the daemon checks the host with its key")
                .isTrue();
    }

    @Test
    void shouldRefuseAKeyUsedForAnotherSlotOrToken() {
        byte[] key = bytes(DaemonKeys.derive(SECRET, 3, "t3"));
        assertThat(Handshake.Hello.answer(key, challenge, 4, 99, "t3").verify(bytes(SECRET), challenge))
                .isFalse();
        assertThat(Handshake.Hello.answer(key, challenge, 3, 99, "t4").verify(bytes(SECRET), challenge))
                .isFalse();
    }

    @Test
    void shouldNotLetOneDaemonsKeyPassForTheHostToAnother() {
        byte[] mallory = bytes(DaemonKeys.derive(SECRET, 1, "t1"));
        byte[] victim = bytes(DaemonKeys.derive(SECRET, 2, "t2"));
        Handshake.Hello victimHello = Handshake.Hello.answer(victim, challenge, 2, 42, "t2");

        Handshake.Welcome forged = Handshake.Welcome.accept(mallory, challenge, victimHello, 1 << 20, 0);
        assertThat(forged.verify(victim, challenge, victimHello)).isFalse();

        // Nor can it reuse its own HELLO proof: the labels tell the roles apart.
        Handshake.Hello own = Handshake.Hello.answer(mallory, challenge, 1, 7, "t1");
        Handshake.Welcome real = Handshake.Welcome.accept(bytes(SECRET), challenge, own, 1 << 20, 0);
        assertThat(own.proof()).isNotEqualTo(real.proof());
    }

    @Test
    void shouldRejectMalformedOrEmptyKeys() {
        assertThatThrownBy(() -> DaemonKeys.key(bytes("jmk1.not*base64"), 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed daemon key");
        assertThatThrownBy(() -> DaemonKeys.key(new byte[0], 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret is empty");
        assertThatThrownBy(() -> DaemonKeys.derive(DaemonKeys.derive(SECRET, 1, ""), 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionSecret is already a derived key");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
