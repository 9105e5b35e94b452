package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.transport.protocol.ClassFrames.ClassAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's remote class loader and its request table, without a socket: a single-thread executor stands in for
 * the event loop and a {@link ClassFetcher.Sender} for the connection.
 */
class RemoteClassLoaderTest {
    /** A class the loader under test must fetch: its parent (the platform loader) cannot see test classes. */
    public static final class Shipped implements Callable<String> {
        @Override
        public String call() {
            return "shipped by " + Shipped.class.getClassLoader().getName();
        }
    }

    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final List<String> asked = new ArrayList<>(); // confined to the loop

    @AfterEach
    void stopLoop() throws InterruptedException {
        loop.shutdownNow();
        assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private static byte[] classFile(String name) throws IOException {
        try (InputStream in =
                RemoteClassLoaderTest.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** A fetcher whose "host" answers from this test's class path, on the loop. */
    private ClassFetcher[] hostServingTestClasses(Duration wait) {
        ClassFetcher[] f = new ClassFetcher[1];
        f[0] = new ClassFetcher(
                loop,
                () -> false,
                (id, task, name) -> {
                    asked.add(name);
                    try {
                        byte[] bytes = classFile(name);
                        f[0].answered(
                                id, bytes == null ? ClassAnswer.notFound("no such class") : ClassAnswer.found(bytes));
                    } catch (IOException e) {
                        return e.toString();
                    }
                    return null;
                },
                wait);
        return f;
    }

    private List<String> asked() throws Exception {
        return loop.submit(() -> List.copyOf(asked)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldDefineAFetchedClassOnceAndRememberWhatTheHostLacks() throws Exception {
        ClassFetcher fetcher = hostServingTestClasses(Duration.ofSeconds(5))[0];
        RemoteClassLoader loader = RemoteClassLoader.over(ClassLoader.getPlatformClassLoader(), fetcher);

        Class<?> c = Class.forName(Shipped.class.getName(), true, loader);
        assertThat(c).isNotSameAs(Shipped.class);
        assertThat(c.getClassLoader()).isSameAs(loader);
        Object value = ((Callable<?>) c.getConstructor().newInstance()).call();
        assertThat(value).isEqualTo("shipped by jmirai-tasks");
        assertThat(Class.forName(Shipped.class.getName(), false, loader)).isSameAs(c);
        assertThat(Class.forName("java.lang.String", false, loader)).isSameAs(String.class);

        assertThatThrownBy(() -> loader.loadClass("com.example.Absent"))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessage("com.example.Absent")
                .cause()
                .hasMessage("the host does not serve it either: no such class");
        assertThatThrownBy(() -> loader.loadClass("com.example.Absent")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loader.loadClass("META-INF.MANIFEST-MF"))
                .cause()
                .hasMessageStartingWith("not a binary name");
        assertThat(asked())
                .as("one request per class, none for a name the host lacked before, none for a bad name")
                .containsExactly(Shipped.class.getName(), "com.example.Absent");
        assertThat(fetcher.waitingCount()).isZero();
    }

    @Test
    void shouldGiveUpAfterItsBoundedWait() {
        ClassFetcher fetcher = new ClassFetcher(loop, () -> false, (id, task, name) -> null, Duration.ofMillis(200));
        RemoteClassLoader loader = RemoteClassLoader.over(ClassLoader.getPlatformClassLoader(), fetcher);
        long start = System.nanoTime();
        assertThatThrownBy(() -> loader.loadClass("com.example.Slow"))
                .isInstanceOf(ClassNotFoundException.class)
                .cause()
                .hasMessage("the host did not answer within 200 ms for class com.example.Slow");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(fetcher.waitingCount()).isZero();
        fetcher.answered(1, ClassAnswer.notFound("late")); // an answer nobody waits for is dropped
    }

    @Test
    void shouldFailWaitingRequestsWhenTheConnectionEnds() throws Exception {
        ClassFetcher[] f = new ClassFetcher[1];
        f[0] = new ClassFetcher(
                loop,
                () -> false,
                (id, task, name) -> {
                    f[0].connectionEnded();
                    return null;
                },
                Duration.ofSeconds(30));
        long start = System.nanoTime();
        assertThatThrownBy(() -> f[0].fetch("com.example.Lost"))
                .isInstanceOf(ClassFetcher.ClassNotServedException.class)
                .hasMessage("the connection to the host ended");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("at once, not at the timeout")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldSayWhyARequestCouldNotBeSent() {
        ClassFetcher fetcher = new ClassFetcher(
                loop, () -> false, (id, task, name) -> "not connected to the host", Duration.ofSeconds(30));
        assertThatThrownBy(() -> fetcher.fetch("com.example.X")).hasMessage("not connected to the host");
    }

    @Test
    void shouldNeverBlockTheEventLoop() {
        ClassFetcher fetcher = new ClassFetcher(loop, () -> true, (id, task, name) -> null, Duration.ofSeconds(30));
        assertThatThrownBy(() -> fetcher.fetch("com.example.X"))
                .hasMessageStartingWith("classes are never fetched on the daemon's event loop");
    }

    @Test
    void shouldRestoreTheInterruptWhenInterruptedWhileWaiting() {
        ClassFetcher fetcher = new ClassFetcher(loop, () -> false, (id, task, name) -> null, Duration.ofSeconds(30));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> fetcher.fetch("com.example.X")).hasMessageStartingWith("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void shouldSendTheRunningTaskWithEachRequest() throws Exception {
        List<Long> tasks = new ArrayList<>();
        ClassFetcher[] f = new ClassFetcher[1];
        f[0] = new ClassFetcher(
                loop,
                () -> false,
                (id, task, name) -> {
                    tasks.add(task);
                    f[0].answered(id, ClassAnswer.notFound("x"));
                    return null;
                },
                Duration.ofSeconds(5));
        f[0].running(7);
        f[0].fetch("a.B");
        f[0].running(0);
        f[0].fetch("a.C");
        assertThat(loop.submit(() -> List.copyOf(tasks)).get(5, TimeUnit.SECONDS))
                .containsExactly(7L, 0L);
    }
}
