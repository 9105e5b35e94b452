package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Compute profiles: the default one behind {@code Mirai.mirai(task)}, and independent named ones. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ProfilesTest {
    @AfterEach
    void reset() {
        Mirai.daemons(0);
        Mirai.daemons("gpu", 0);
    }

    @Test
    void shouldRouteStaticCallsToTheDefaultAndNamedProfiles() throws Exception {
        Daemons cpu = Mirai.daemons(1);
        Daemons gpu = Mirai.daemons("gpu", 1);
        assertThat(Mirai.daemons("default")).isSameAs(cpu);
        assertThat(Mirai.daemons("gpu")).isSameAs(gpu);

        long cpuPid = cpu.mirai(() -> ProcessHandle.current().pid()).get(WAIT);
        long gpuPid = gpu.mirai(() -> ProcessHandle.current().pid()).get(WAIT);
        assertThat(cpuPid).isNotEqualTo(gpuPid);
        assertThat(Mirai.mirai(() -> ProcessHandle.current().pid()).get(WAIT)).isEqualTo(cpuPid);
        assertThat(Mirai.mirai("gpu", () -> ProcessHandle.current().pid()).get(WAIT))
                .isEqualTo(gpuPid);
        assertThat(cpu.status().completed()).isEqualTo(2);
        assertThat(gpu.status().completed()).isEqualTo(2);

        assertThat(Mirai.daemons("gpu", 0)).isNull();
        assertThatThrownBy(() -> gpu.mirai(() -> 1)).hasMessage("daemons are closed");
        assertThatThrownBy(() -> Mirai.mirai("gpu", () -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no daemons for compute profile: profile=gpu");
        assertThat(Mirai.daemons("default")).isSameAs(cpu);
    }

    @Test
    void shouldReplaceAProfilesDaemonsAndForgetClosedOnes() throws Exception {
        Daemons first = Mirai.daemons(1);
        Daemons second = Mirai.daemons(1);
        assertThat(second).isNotSameAs(first);
        assertThatThrownBy(() -> first.mirai(() -> 1)).hasMessage("daemons are closed");
        assertThat(Mirai.mirai(() -> 7).get(WAIT)).isEqualTo(7);
        second.close();
        assertThatThrownBy(() -> Mirai.daemons("default")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Mirai.daemons(-1)).hasMessageContaining("n : -1");
    }
}
