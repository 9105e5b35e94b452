package io.jmirai.server;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Properties;

/**
 * What a client or a daemon needs to reach a server: its URL, the session secret and, for TLS URLs, the certificate
 * to pin. Kept in a file only its owner may read ({@code 0600}), in {@link Properties} form written so that a shell can
 * read it too: {@code url=...} and {@code secret=...} unescaped on lines of their own ({@code grep '^secret='
 * server.credentials | cut -d= -f2-}), then {@code certificate=} with one PEM line per file line ({@code \n\}
 * escapes). Immutable.
 *
 * @param url the URL daemons dial, with the bound port
 * @param secret the session secret
 * @param certificatePem the PEM of the certificate to pin for {@code tls+tcp://} and {@code wss://} URLs, else null
 */
public record Credentials(String url, String secret, String certificatePem) {
    /** Checks the fields; the certificate's lines end in {@code \n}, as they are read back. */
    public Credentials {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        if (url.contains("\n") || secret.contains("\n") || secret.contains("\\")) {
            throw new IllegalArgumentException("url and secret must be one line without backslashes");
        }
        if (certificatePem != null) {
            certificatePem = String.join(
                            "\n",
                            certificatePem.strip().lines().map(String::strip).toList()) + "\n";
        }
    }

    /**
     * Writes the file: created {@code 0600} (on POSIX file systems) next to its final name, then moved over it, so a
     * reader never sees half a file and the secret is never readable by others, even for a moment.
     *
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder("# jmirai server credentials: keep secret\n");
        text.append("url=").append(url).append('\n');
        text.append("secret=").append(secret).append('\n');
        if (certificatePem != null) {
            text.append("certificate=\\\n");
            String[] lines = certificatePem.strip().split("\n");
            for (int i = 0; i < lines.length; i++) {
                text.append(lines[i]).append("\\n").append(i < lines.length - 1 ? "\\\n" : "\n");
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(text.toString());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it lacks the url or the secret
     */
    public static Credentials read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String url = p.getProperty("url");
        String secret = p.getProperty("secret");
        if (url == null || secret == null) {
            throw new IllegalArgumentException("not a jmirai credentials file (no url or secret): " + file);
        }
        return new Credentials(url, secret, p.getProperty("certificate"));
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "Credentials[url=" + url + ", secret=(hidden), certificate=" + (certificatePem != null) + "]";
    }
}
