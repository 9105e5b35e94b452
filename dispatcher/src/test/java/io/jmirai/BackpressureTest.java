package io.jmirai;

import static io.jmirai.Probes.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The memory gate: a limit on queued payload bytes, on one real daemon kept busy so that tasks queue. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class BackpressureTest {
    private static final long LIMIT = 100_000;
    private static Daemons daemons;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        // one task in flight: the tasks behind the blocker stay at the host, where maxQueuedBytes counts them (a
        // prefetched task's bytes leave the gate once written to its daemon)
        daemons = Daemons.builder().local(1).prefetch(1).maxQueuedBytes(LIMIT).start();
    }

    @AfterAll
    static void stop() {
        daemons.close();
    }

    private Mirai<Integer> occupyTheDaemon() throws Exception {
        Path started = dir.resolve("started-" + System.nanoTime());
        String file = started.toString();
        Mirai<Integer> blocker = daemons.mirai(() -> {
            Probes.writePid(file);
            Thread.sleep(60_000);
            return 0;
        });
        Probes.awaitPid(started);
        return blocker;
    }

    private static Mirai<Integer> big(int k) {
        byte[] payload = new byte[30_000];
        return daemons.mirai(() -> payload.length + k);
    }

    @Test
    void shouldBlockAtTheLimitAndReleaseWhenTheQueueDrains() throws Exception {
        Mirai<Integer> blocker = occupyTheDaemon();
        List<Mirai<Integer>> queued = new ArrayList<>();
        byte[] payload = new byte[30_000];
        Optional<Mirai<Integer>> next;
        while ((next = daemons.tryMirai(() -> payload.length)).isPresent()) {
            queued.add(next.get());
        }
        assertThat(queued).hasSize(3);
        Status full = daemons.status();
        assertThat(full.maxQueuedBytes()).isEqualTo(LIMIT);
        assertThat(full.queuedBytes()).isGreaterThan(90_000).isLessThanOrEqualTo(LIMIT);
        assertThat(full.peakQueuedBytes()).isGreaterThanOrEqualTo(full.queuedBytes());
        assertThat(full.toString()).contains("queued:").contains("max 100000");

        AtomicBoolean returned = new AtomicBoolean();
        CompletableFuture<Mirai<Integer>> blocked = new CompletableFuture<>();
        Thread submitter = new Thread(() -> {
            try {
                Mirai<Integer> m = big(1);
                returned.set(true);
                blocked.complete(m);
            } catch (RuntimeException e) {
                blocked.completeExceptionally(e);
            }
        });
        submitter.start();
        await().atMost(WAIT).until(() -> submitter.getState() == Thread.State.WAITING);
        assertThat(returned).as("mirai() waits at the limit").isFalse();

        assertThat(blocker.stop()).isTrue(); // the queue drains into the daemon
        Mirai<Integer> late = blocked.get(30, TimeUnit.SECONDS);
        assertThat(late.get(WAIT)).isEqualTo(30_001);
        for (Mirai<Integer> m : queued) {
            assertThat(m.get(WAIT)).isEqualTo(30_000);
        }
        Status drained = daemons.status();
        assertThat(drained.queuedBytes()).isZero();
        assertThat(drained.peakQueuedBytes()).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void shouldGiveUpWaitingWhenInterrupted() throws Exception {
        Mirai<Integer> blocker = occupyTheDaemon();
        List<Mirai<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(big(i));
        }
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            try {
                big(99);
                failure.complete(null);
            } catch (RuntimeException e) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                failure.complete(e);
            }
        });
        submitter.start();
        await().atMost(WAIT).until(() -> submitter.getState() == Thread.State.WAITING);
        submitter.interrupt();
        assertThat(failure.get(30, TimeUnit.SECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("interrupted while waiting for room in the queue");
        assertThat(stillInterrupted).as("the interrupt flag is kept").isTrue();

        assertThat(Mirai.stop(queued)).isEqualTo(3);
        assertThat(daemons.status().queuedBytes()).isZero();
        assertThat(blocker.stop()).isTrue();
        Probes.awaitDaemonsAnswered(daemons);
    }

    @Test
    void shouldRefuseATaskLargerThanTheLimit() {
        byte[] huge = new byte[(int) LIMIT + 1];
        assertThatThrownBy(() -> daemons.mirai(() -> huge.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task larger than the queue limit")
                .hasMessageContaining("maxQueuedBytes=" + LIMIT);
        assertThatThrownBy(() -> daemons.tryMirai(() -> huge.length)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Daemons.builder().maxQueuedBytes(-1)).hasMessageContaining("maxQueuedBytes : -1");
    }
}
