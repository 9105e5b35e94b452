package io.jmirai;

import io.netty.util.LeakPresenceDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that left a Netty buffer unreleased in this JVM (surefire and failsafe install Netty's
 * {@code LeakPresenceDetector}). Runs after the class has closed its daemons, so every buffer should be back.
 */
final class LeakCheck implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        LeakPresenceDetector.check();
    }
}
