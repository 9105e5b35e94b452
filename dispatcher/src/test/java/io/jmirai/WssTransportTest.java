package io.jmirai;

/** The transport contract over {@code wss://}. */
class WssTransportTest extends TransportContractTest {
    @Override
    String listenUrl() {
        return "wss://127.0.0.1:0";
    }
}
