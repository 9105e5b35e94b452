package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Argument checks and defaults of the steering options; no daemons. */
class OptionsTest {
    @Test
    void shouldFallBackToDefaultsForWhatATaskDoesNotSet() {
        MiraiOptions defaults =
                MiraiOptions.defaults().timeout(Duration.ofSeconds(9)).retries(2);
        MiraiOptions task = MiraiOptions.defaults().retries(0).orElse(defaults);
        assertThat(task.timeout()).hasValue(Duration.ofSeconds(9));
        assertThat(task.retries()).hasValue(0);
        assertThat(MiraiOptions.defaults().timeout()).isEmpty();
        assertThat(MiraiOptions.defaults().retries()).isEmpty();
        assertThat(defaults.toString()).contains("timeout=PT9S").contains("retries=2");
        MiraiOptions built =
                MiraiOptions.builder().timeout(Duration.ofSeconds(9)).retries(2).build();
        assertThat(built.timeout()).isEqualTo(defaults.timeout());
        assertThat(built.retries()).isEqualTo(defaults.retries());
    }

    @Test
    void shouldRejectBadOptions() {
        assertThatThrownBy(() -> MiraiOptions.defaults().timeout(Duration.ZERO))
                .hasMessage("timeout : PT0S (expected: > 0)");
        assertThatThrownBy(() -> MiraiOptions.defaults().timeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MiraiOptions.defaults().retries(-1)).hasMessage("retries : -1 (expected: >= 0)");
        assertThatThrownBy(() -> Daemons.builder().retries(-2)).hasMessage("retries : -2 (expected: >= 0)");
        assertThatThrownBy(() -> Daemons.builder().timeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("expected: > 0");
        assertThatThrownBy(() -> Daemons.builder().interruptGrace(Duration.ZERO))
                .hasMessage("interruptGrace : PT0S (expected: > 0)");
        assertThatThrownBy(() -> MapOptions.defaults().progress(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldDescribeErrorValues() {
        assertThat(new MiraiInterrupt().code())
                .isEqualTo(ErrorValue.INTERRUPTED)
                .isEqualTo(101);
        RetriesExhausted r = new RetriesExhausted(3, "daemon lost 3 times");
        assertThat(r.code()).isEqualTo(ErrorValue.RETRIES_EXHAUSTED).isEqualTo(102);
        assertThat(r.losses()).isEqualTo(3);
        assertThat(r).isEqualTo(new RetriesExhausted(3, "daemon lost 3 times"));
        assertThat(new MiraiMapException(4, "k", r))
                .hasMessageContaining("map stopped at index 4 (key=k)")
                .hasMessageContaining("code=102");
    }
}
