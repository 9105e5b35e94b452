package io.jmirai.transport.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.ListenUrl;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link LogLimiter} on a hand-driven clock, and {@link Redact}. */
class LogLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogLimiter limiter = new LogLimiter(Duration.ofSeconds(10), now::get);

    @Test
    void shouldLogTheFirstEventThenOnePerIntervalCountingTheRest() {
        assertThat(limiter.tryAcquire()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire()).isEqualTo(-1);
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(limiter.tryAcquire()).as("one nanosecond early").isEqualTo(-1);
        now.incrementAndGet();
        assertThat(limiter.tryAcquire()).as("six skipped since the first").isEqualTo(6);
        assertThat(limiter.tryAcquire()).isEqualTo(-1);
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(limiter.tryAcquire()).isEqualTo(1);
    }

    @Test
    void shouldRejectANonPositiveInterval() {
        assertThatThrownBy(() -> new LogLimiter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interval : PT0S (expected: > 0)");
    }

    @Test
    void shouldHideAPerDaemonTokenButKeepTheSlot() {
        assertThat(Redact.url(ListenUrl.parse("wss://node1:5555/1/Xq3abc_-9"))).isEqualTo("wss://node1:5555/1/***");
        assertThat(Redact.url(ListenUrl.parse("tcp://10.0.0.1:5555/12"))).isEqualTo("tcp://10.0.0.1:5555/12");
        assertThat(Redact.url(ListenUrl.parse("tls+tcp://[::1]:5555"))).isEqualTo("tls+tcp://[::1]:5555");
    }
}
