package io.jmirai;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A server's credentials file as a client reads it ({@code java -jar jmirai-server.jar --credentials FILE} writes it,
 * mode 0600): {@code url=}, {@code secret=} and, for TLS URLs, {@code certificate=} (the PEM to pin). Immutable.
 */
record ServerCredentials(String url, String secret, String certificatePem) {
    /** Never shows the secret. */
    @Override
    public String toString() {
        return "ServerCredentials[url=" + url + ", secret=(hidden), certificate=" + (certificatePem != null) + "]";
    }

    /**
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if it is not a credentials file
     */
    static ServerCredentials read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credentials file: " + file, e);
        }
        String url = p.getProperty("url");
        String secret = p.getProperty("secret");
        if (url == null || secret == null) {
            throw new IllegalArgumentException("not a jmirai credentials file (no url or secret): " + file);
        }
        return new ServerCredentials(url.strip(), secret.strip(), p.getProperty("certificate"));
    }
}
