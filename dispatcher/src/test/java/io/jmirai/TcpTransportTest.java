package io.jmirai;

/** The transport contract over {@code tcp://}. */
class TcpTransportTest extends TransportContractTest {
    @Override
    String listenUrl() {
        return "tcp://127.0.0.1:0";
    }
}
