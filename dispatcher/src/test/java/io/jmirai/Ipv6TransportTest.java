package io.jmirai;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** The transport contract over TLS on the IPv6 loopback, where the machine has it. */
class Ipv6TransportTest extends TransportContractTest {
    @Override
    String listenUrl() {
        return "wss://[::1]:0";
    }

    @BeforeEach
    @Override
    void start() {
        Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        super.start();
    }
}
