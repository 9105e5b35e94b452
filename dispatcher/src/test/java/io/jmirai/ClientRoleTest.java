package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client role against an embedded host, which has no client service: a client that proves the secret is still
 * refused, clearly, and the host's daemons are not disturbed. (Clients of a real server: server module,
 * {@code ServerClientTest}.)
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ClientRoleTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAClientAtAHostThatServesNone() throws Exception {
        try (Daemons embedded = Daemons.builder().local(1).start()) {
            Path credentials = dir.resolve("host.credentials");
            Files.writeString(
                    credentials,
                    "url=" + embedded.url() + "\nsecret=" + embedded.secret() + "\n",
                    StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Daemons.connect(credentials, Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused this client")
                    .hasMessageContaining("accepts no clients");
            assertThat(embedded.mirai(() -> 42).get(Duration.ofSeconds(30))).isEqualTo(42);
            assertThat(embedded.status().connections()).isEqualTo(1);
        }
    }

    @Test
    void shouldRejectACredentialsFileWithoutASecret() throws Exception {
        Path credentials = dir.resolve("bad.credentials");
        Files.writeString(credentials, "url=tcp://127.0.0.1:1\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Daemons.connect(credentials))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a jmirai credentials file");
    }
}
