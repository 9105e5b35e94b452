package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    @Test
    void shouldKeepOnlyWhatBothSidesAdvertised() {
        Capabilities host = new Capabilities(0b0110);
        Capabilities daemon = new Capabilities(0b1100);
        assertThat(host.and(daemon).bits()).isEqualTo(0b0100);
        assertThat(host.containsAll(new Capabilities(0b0100))).isTrue();
        assertThat(host.containsAll(daemon)).isFalse();
        assertThat(host.containsAll(Capabilities.NONE)).isTrue();
    }

    @Test
    void shouldAdvertiseEveryCapabilityThisCodeImplementsButNoRole() {
        long all = 0;
        for (Capability c : Capability.values()) {
            if (c != Capability.CLIENT) {
                all |= c.mask();
            }
        }
        assertThat(Capabilities.supported().bits()).isEqualTo(all);
        assertThat(Capabilities.supported().has(Capability.CLIENT)).isFalse();
    }

    @Test
    void shouldKeepClassLoadingAtBitZeroAndDropItOnRequest() {
        assertThat(Capability.CLASS_LOADING.bit()).isZero();
        assertThat(Capabilities.supported().has(Capability.CLASS_LOADING)).isTrue();
        Capabilities without = Capabilities.supported().without(Capability.CLASS_LOADING);
        assertThat(without.has(Capability.CLASS_LOADING)).isFalse();
        assertThat(Capabilities.supported().and(without).has(Capability.CLASS_LOADING))
                .as("one side opting out is enough")
                .isFalse();
        assertThat(Capabilities.of(Capability.CLASS_LOADING)).hasToString("[CLASS_LOADING]");
    }

    @Test
    void shouldNameUnknownBits() {
        assertThat(Capabilities.NONE).hasToString("[]");
        assertThat(new Capabilities(Long.MIN_VALUE)).hasToString("[unknown=0x8000000000000000]");
    }
}
