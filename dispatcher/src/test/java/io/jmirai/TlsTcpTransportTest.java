package io.jmirai;

/** The transport contract over {@code tls+tcp://}. */
class TlsTcpTransportTest extends TransportContractTest {
    @Override
    String listenUrl() {
        return "tls+tcp://127.0.0.1:0";
    }
}
