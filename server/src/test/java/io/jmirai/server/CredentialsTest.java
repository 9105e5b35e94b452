package io.jmirai.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.tls.Pem;
import io.jmirai.tls.SingleUseCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials file: written 0600, read back whole, its url and secret lines readable by a shell. */
class CredentialsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsWithACertificateAndKeepsUrlAndSecretOnPlainLines() throws Exception {
        String pem = SingleUseCertificate.generate("127.0.0.1").certificatePem();
        Credentials c = new Credentials("tls+tcp://127.0.0.1:4242", "s".repeat(43), pem);
        Path file = dir.resolve("server.credentials");
        c.write(file);

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Credentials back = Credentials.read(file);
        assertThat(back).isEqualTo(c);
        assertThat(Pem.parseCertificates(back.certificatePem())).containsExactlyElementsOf(Pem.parseCertificates(pem));
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                .contains("url=tls+tcp://127.0.0.1:4242", "secret=" + "s".repeat(43));
        assertThat(back.toString()).doesNotContain("sss");
    }

    @Test
    void aFileWithoutSecretIsAClearError() throws Exception {
        Path file = dir.resolve("other");
        Files.writeString(file, "url=tcp://127.0.0.1:1\n");
        assertThatThrownBy(() -> Credentials.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no url or secret")
                .hasMessageContaining(file.toString());
    }
}
