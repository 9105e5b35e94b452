package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The byte gate behind {@code maxQueuedBytes}. */
@Timeout(30)
class QueueGateTest {
    @Test
    void shouldAdmitUpToTheCapacityAndTrackThePeak() throws Exception {
        QueueGate gate = new QueueGate(100);
        assertThat(gate.tryAcquire(60)).isTrue();
        assertThat(gate.tryAcquire(50)).isFalse();
        assertThat(gate.acquire(40, 0)).isTrue();
        assertThat(gate.acquire(1, TimeUnit.MILLISECONDS.toNanos(20)))
                .as("times out")
                .isFalse();
        assertThat(gate.used()).isEqualTo(100);
        gate.release(60);
        gate.force(80); // a retried task gets back in whatever the capacity
        assertThat(gate.used()).isEqualTo(120);
        assertThat(gate.peak()).isEqualTo(120);
        assertThat(gate.capacity()).isEqualTo(100);
    }

    @Test
    void shouldBlockUntilReleasedAndWakeWaitersOnClose() throws Exception {
        QueueGate gate = new QueueGate(10);
        assertThat(gate.tryAcquire(10)).isTrue();
        CompletableFuture<Boolean> admitted = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.acquire(5, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        CompletableFuture<Throwable> refused = CompletableFuture.supplyAsync(() -> {
            try {
                gate.acquire(10, -1);
                return null;
            } catch (InterruptedException | RuntimeException e) {
                return e;
            }
        });
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !admitted.isDone());
        gate.release(5);
        assertThat(admitted.get(5, TimeUnit.SECONDS)).isTrue();
        gate.close();
        assertThat(refused.get(5, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("daemons are closed");
        assertThatThrownBy(() -> gate.tryAcquire(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCountButNeverBlockWithoutACapacity() throws Exception {
        QueueGate gate = new QueueGate(0);
        assertThat(gate.acquire(Long.MAX_VALUE / 2, 0)).isTrue();
        assertThat(gate.tryAcquire(1)).isTrue();
        assertThat(gate.peak()).isEqualTo(Long.MAX_VALUE / 2 + 1);
        assertThatThrownBy(() -> new QueueGate(-1)).hasMessageContaining("capacity : -1 (expected: >= 0)");
    }
}
