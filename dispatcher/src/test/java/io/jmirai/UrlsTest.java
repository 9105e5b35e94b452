package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.ListenUrl;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrlsTest {
    @Test
    void shouldGiveALoopbackUrlWithAnyPort() {
        assertThat(ListenUrl.parse(Urls.local()).port()).isZero();
        assertThat(Urls.local()).isEqualTo("tcp://127.0.0.1:0");
    }

    @Test
    void shouldListOneParseableUrlPerInterfaceAddressLoopbackLast() {
        List<String> urls = Urls.host(true, true, 5555);
        assertThat(urls).isNotEmpty().allSatisfy(u -> {
            ListenUrl parsed = ListenUrl.parse(u);
            assertThat(parsed.scheme().text()).isEqualTo("wss");
            assertThat(parsed.port()).isEqualTo(5555);
        });
        assertThat(urls.get(urls.size() - 1)).contains("127.0.0.1").doesNotContain("%");
        assertThat(Urls.host())
                .allSatisfy(u -> assertThat(u).startsWith("tcp://").endsWith(":0"));
        assertThat(Urls.host(true, false, 1)).allSatisfy(u -> assertThat(u).startsWith("tls+tcp://"));
        assertThat(Urls.host(false, true, 1)).allSatisfy(u -> assertThat(u).startsWith("ws://"));
    }

    @Test
    void shouldRejectABadPort() {
        assertThatThrownBy(() -> Urls.host(false, false, 70000)).hasMessage("port : 70000 (expected: 0 to 65535)");
    }
}
