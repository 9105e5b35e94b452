package io.jmirai.transport;

import java.util.Objects;

/**
 * A parsed jmirai URL: {@code scheme://host:port[/path]}, where scheme is {@code tcp}, {@code tls+tcp}, {@code ws} or
 * {@code wss}, host is an IPv4 address, a bracketed IPv6 address ({@code [::1]}) or a host name, and port is 0 to
 * 65535 (0 on a listener means "any free port").
 *
 * <p>Parsed once, then passed around as a value (like Aeron's {@code ChannelUri}). Immutable and thread-safe.
 *
 * @param scheme the scheme
 * @param host the host, without brackets for IPv6
 * @param port the port
 * @param path the path, starting with {@code /}, or the empty string
 */
public record ListenUrl(Scheme scheme, String host, int port, String path) {

    /** Validates the components. */
    public ListenUrl {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("url has no host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: 0 to 65535)");
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw new IllegalArgumentException("path : " + path + " (expected: empty or starting with /)");
        }
    }

    /**
     * Parses a URL such as {@code tcp://127.0.0.1:0}, {@code tls+tcp://[::1]:5555} or {@code ws://host:80/1}.
     *
     * @throws IllegalArgumentException naming the problem when the URL is malformed
     */
    public static ListenUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("malformed url: url=" + url + " (expected: scheme://host:port)");
        }
        Scheme scheme = Scheme.parse(url.substring(0, sep));
        String rest = url.substring(sep + 3);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("malformed url: url=" + url + " (unclosed [ in IPv6 host)");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.startsWith(":")) {
                throw new IllegalArgumentException("malformed url: url=" + url + " (expected :port after ])");
            }
            portText = after.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("malformed url: url=" + url + " (no port; use :0 for any port)");
            }
            host = authority.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("malformed url: url=" + url + " (write IPv6 hosts as [addr])");
            }
            portText = authority.substring(colon + 1);
        }
        if (!portText.matches("-?[0-9]{1,10}")) { // no sign, spaces or other text Integer.parseInt would take
            throw new IllegalArgumentException(
                    "malformed url: url=" + url + " (port is not a number: " + portText + ")");
        }
        if (!host.isEmpty() && !host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("malformed url: url=" + url + " (bad host: " + host + ")");
        }
        // at most 10 digits: fits a long; out-of-range values are clamped so the range check below names them
        int port = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Long.parseLong(portText)));
        if (host.isEmpty()) {
            throw new IllegalArgumentException("malformed url: url=" + url + " (no host)");
        }
        return new ListenUrl(scheme, host, port, path);
    }

    /** @return the same URL with another port (for a port 0 that has been resolved) */
    public ListenUrl withPort(int newPort) {
        return new ListenUrl(scheme, host, newPort, path);
    }

    /** @return the same URL with another path */
    public ListenUrl withPath(String newPath) {
        return new ListenUrl(scheme, host, port, newPath);
    }

    /** @return the URL as text, IPv6 hosts in brackets */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme.text() + "://" + h + ":" + port + path;
    }
}
