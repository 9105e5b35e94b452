package io.jmirai.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListenUrlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            tcp://127.0.0.1:0           | TCP     | 127.0.0.1        | 0     | ''
            tls+tcp://10.1.2.3:5555     | TLS_TCP | 10.1.2.3         | 5555  | ''
            ws://example.org:80/1       | WS      | example.org      | 80    | /1
            wss://node-7.cluster:443/a/b| WSS     | node-7.cluster   | 443   | /a/b
            tcp://[::1]:5555            | TCP     | ::1              | 5555  | ''
            wss://[fe80::1%eth0]:65535/ | WSS     | fe80::1%eth0     | 65535 | /
            tls+tcp://localhost:1       | TLS_TCP | localhost        | 1     | ''
            ws://[2001:db8::7]:8080/ws  | WS      | 2001:db8::7      | 8080  | /ws
            TCP://Host.Example:9        | TCP     | Host.Example     | 9     | ''
            """)
    void shouldParse(String url, Scheme scheme, String host, int port, String path) {
        ListenUrl parsed = ListenUrl.parse(url);
        assertThat(parsed.scheme()).isEqualTo(scheme);
        assertThat(parsed.host()).isEqualTo(host);
        assertThat(parsed.port()).isEqualTo(port);
        assertThat(parsed.path()).isEqualTo(path);
        assertThat(parsed).isEqualTo(new ListenUrl(scheme, host, port, path));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "tcp://127.0.0.1:0",
                "tls+tcp://10.1.2.3:5555",
                "ws://example.org:80/1",
                "wss://node-7.cluster:443/a/b",
                "tcp://[::1]:5555",
                "wss://[2001:db8::7]:8080/ws",
                "ws://[::]:0/"
            })
    void shouldRoundTripThroughToString(String url) {
        ListenUrl parsed = ListenUrl.parse(url);
        assertThat(parsed.toString()).isEqualTo(url);
        assertThat(ListenUrl.parse(parsed.toString())).isEqualTo(parsed);
    }

    @Test
    void shouldWriteIpv6HostInBrackets() {
        assertThat(new ListenUrl(Scheme.TLS_TCP, "::1", 7, "").toString()).isEqualTo("tls+tcp://[::1]:7");
        assertThat(new ListenUrl(Scheme.WS, "::1", 7, "/p").toString()).isEqualTo("ws://[::1]:7/p");
    }

    @Test
    void shouldNormaliseSchemeCase() {
        assertThat(ListenUrl.parse("TLS+TCP://h:1").toString()).isEqualTo("tls+tcp://h:1");
    }

    @Test
    void shouldReplacePortAndPath() {
        ListenUrl url = ListenUrl.parse("ws://[::1]:0/x");
        assertThat(url.withPort(43210).toString()).isEqualTo("ws://[::1]:43210/x");
        assertThat(url.withPath("/y").toString()).isEqualTo("ws://[::1]:0/y");
        assertThat(url.withPath("").toString()).isEqualTo("ws://[::1]:0");
        assertThatThrownBy(() -> url.withPort(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> url.withPath("y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path : y (expected: empty or starting with /)");
    }

    @Test
    void shouldKnowWhichSchemesUseTlsAndWebSocket() {
        assertThat(Scheme.TCP.isTls()).isFalse();
        assertThat(Scheme.TCP.isWebSocket()).isFalse();
        assertThat(Scheme.TLS_TCP.isTls()).isTrue();
        assertThat(Scheme.TLS_TCP.isWebSocket()).isFalse();
        assertThat(Scheme.WS.isTls()).isFalse();
        assertThat(Scheme.WS.isWebSocket()).isTrue();
        assertThat(Scheme.WSS.isTls()).isTrue();
        assertThat(Scheme.WSS.isWebSocket()).isTrue();
    }

    // ---- errors name the problem

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:5555", "tcp:/127.0.0.1:5555", "://127.0.0.1:5555", ""})
    void shouldRejectUrlWithoutScheme(String url) {
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed url: url=" + url)
                .hasMessageContaining("expected: scheme://host:port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h:80", "udp://h:1", "tls://h:1", "tcp+tls://h:1"})
    void shouldRejectUnknownScheme(String url) {
        String scheme = url.substring(0, url.indexOf(':'));
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown url scheme: scheme=" + scheme + " (expected: tcp, tls+tcp, ws or wss)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1", "ws://example.org/path", "tcp://host"})
    void shouldRejectUrlWithoutPort(String url) {
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url=" + url)
                .hasMessageContaining("no port");
    }

    @Test
    void shouldRejectBracketedHostWithoutPort() {
        assertThatThrownBy(() -> ListenUrl.parse("tcp://[::1]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected :port after ]");
        assertThatThrownBy(() -> ListenUrl.parse("tcp://[::1]5555"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected :port after ]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://h:", "tcp://h:http", "tcp://h:12ab", "tcp://h:99999999999", "tcp://[::1]:x"})
    void shouldRejectPortThatIsNotNumber(String url) {
        String port = url.substring(url.lastIndexOf(':') + 1);
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed url: url=" + url + " (port is not a number: " + port + ")");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, Integer.MAX_VALUE})
    void shouldRejectPortOutOfRange(int port) {
        assertThatThrownBy(() -> ListenUrl.parse("tcp://h:" + port))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port : " + port + " (expected: 0 to 65535)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://::1:5555", "tcp://2001:db8::1:80", "ws://fe80::1:80/x"})
    void shouldRejectUnbracketedIpv6(String url) {
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url=" + url)
                .hasMessageContaining("write IPv6 hosts as [addr]");
    }

    @Test
    void shouldRejectUnclosedBracket() {
        assertThatThrownBy(() -> ListenUrl.parse("tcp://[::1:5555"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unclosed [");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://:5555", "tcp://[]:5555", "ws://:80/x"})
    void shouldRejectEmptyHost(String url) {
        assertThatThrownBy(() -> ListenUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed url: url=" + url + " (no host)");
        assertThatThrownBy(() -> new ListenUrl(Scheme.TCP, "", 1, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("url has no host");
    }

    @Test
    void shouldRejectNulls() {
        assertThatThrownBy(() -> ListenUrl.parse(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("url");
        assertThatThrownBy(() -> new ListenUrl(null, "h", 1, ""))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("scheme");
        assertThatThrownBy(() -> new ListenUrl(Scheme.TCP, null, 1, ""))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("host");
        assertThatThrownBy(() -> new ListenUrl(Scheme.TCP, "h", 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("path");
    }
}
