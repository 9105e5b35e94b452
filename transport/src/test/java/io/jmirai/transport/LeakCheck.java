package io.jmirai.transport;

import io.netty.util.LeakPresenceDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that left a Netty buffer unreleased. Surefire installs Netty's {@code LeakPresenceDetector}
 * ({@code -Dio.netty.customResourceLeakDetector=io.netty.util.LeakPresenceDetector} in the parent pom), which counts
 * every leak-aware buffer allocated and not yet released; {@link LeakPresenceDetector#check()} throws "Possible memory
 * leak detected for resource scope 'global'" when that count is not zero, and resets it, so one leaking test does not
 * fail the ones after it.
 *
 * <p>The scope is the whole JVM, which is fine here: unit tests run one at a time and own every buffer they touch. Only
 * buffers from a leak-aware allocator are counted ({@code ByteBufAllocator.DEFAULT}, direct {@code Unpooled} buffers),
 * not unpooled heap buffers, so tests allocate from {@code ByteBufAllocator.DEFAULT}.
 */
public final class LeakCheck implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        LeakPresenceDetector.check();
    }
}
