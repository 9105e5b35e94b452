package io.jmirai;

/** The transport contract over {@code ws://}. */
class WsTransportTest extends TransportContractTest {
    @Override
    String listenUrl() {
        return "ws://127.0.0.1:0";
    }
}
