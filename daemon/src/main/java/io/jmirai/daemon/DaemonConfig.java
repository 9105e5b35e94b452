package io.jmirai.daemon;

import io.jmirai.api.AutoExit;
import io.jmirai.transport.ListenUrl;
import io.jmirai.transport.log.Redact;
import java.time.Duration;
import java.util.Objects;

/**
 * A daemon's immutable configuration.
 *
 * @param url the host's URL to dial
 * @param secret the session secret (never from the command line)
 * @param slot the daemon's slot on the host, 0 for any
 * @param token the slot's token, or empty
 * @param autoExit what to do when the connection ends
 * @param idleTime exit after this long without a task ({@code null}: never)
 * @param wallTime exit after this long in all, once no task runs ({@code null}: never)
 * @param maxTasks exit after this many tasks (0: no limit)
 * @param cleanup restore system properties, default locale and time zone after each task
 * @param output keep the tasks' stdout and stderr (otherwise discarded)
 * @param classLoader loads the tasks' classes
 * @param connectTimeout bound on one connection attempt and its handshake
 * @param dialTimeout how long to keep dialing until the first successful authentication
 * @param ssl the client TLS context (pinned certificate or CA chain) for TLS URLs, else null
 * @param classLoading ask the host for classes the daemon cannot load (remote class loading; off with
 *     {@code --no-class-loading})
 */
public record DaemonConfig(
        ListenUrl url,
        byte[] secret,
        int slot,
        String token,
        AutoExit autoExit,
        Duration idleTime,
        Duration wallTime,
        int maxTasks,
        boolean cleanup,
        boolean output,
        ClassLoader classLoader,
        Duration connectTimeout,
        Duration dialTimeout,
        io.netty.handler.ssl.SslContext ssl,
        boolean classLoading) {

    /** Checks the fields. */
    public DaemonConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(autoExit, "autoExit");
        Objects.requireNonNull(classLoader, "classLoader");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(dialTimeout, "dialTimeout");
        if (secret.length == 0) {
            throw new IllegalArgumentException("secret is empty");
        }
        if (slot < 0) {
            throw new IllegalArgumentException("slot : " + slot + " (expected: >= 0)");
        }
        if (maxTasks < 0) {
            throw new IllegalArgumentException("maxTasks : " + maxTasks + " (expected: >= 0)");
        }
        if (url.scheme().isTls() && ssl == null) {
            throw new IllegalArgumentException("a TLS url needs the host's certificate: url=" + Redact.url(url)
                    + " (use --cert-pem, --cert-pem-file, --ca-pem or --ca-file)");
        }
    }
}
