package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon always answers, whatever way a task ends; errors that may leave its JVM damaged recycle it after the
 * answer; {@code fixedPool} replaces a daemon a task ended with {@code System.exit}, and the code-19 error says how the
 * daemon ended. Real daemon JVMs.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonAnswersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** An exception none of whose accessors can be called. */
    static final class NastyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage is booby-trapped");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new IllegalStateException("getStackTrace is booby-trapped");
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("getCause is booby-trapped");
        }
    }

    /** A value whose serializer throws a {@link NastyException}. */
    static final class Unwritable implements KryoSerializable {
        @Override
        public void write(Kryo kryo, Output output) {
            throw new NastyException();
        }

        @Override
        public void read(Kryo kryo, Input input) {}
    }

    /** A linked chain deep enough to overflow the serializer's stack. */
    static final class Node {
        Node next;
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void shouldAnswerATaskWhoseExceptionThrowsFromEveryAccessorAndKeepTheDaemon() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            long pid = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            Mirai<Object> m = daemons.mirai(() -> {
                throw new NastyException();
            });
            Object d = DaemonsTest.awaitData(m);
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).className()).isEqualTo(NastyException.class.getName());
            assertThat(((MiraiError) d).exceptionMessage()).contains("getMessage() threw");
            assertThat(daemons.mirai(DaemonAnswersTest::pid).get(WAIT)).isEqualTo(pid);
        }
    }

    @Test
    void shouldAnswerAValueWhoseSerializerThrowsSuchAnException() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            long pid = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            Mirai<Unwritable> m = daemons.mirai(Unwritable::new);
            Object d = DaemonsTest.awaitData(m);
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).stackTraceText()).contains(NastyException.class.getName());
            assertThat(daemons.mirai(DaemonAnswersTest::pid).get(WAIT)).isEqualTo(pid);
        }
    }

    @Test
    void shouldAnswerAStackOverflowInTheSerializerThenReplaceTheDaemonWithAHealthyOne() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            long pid = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            Mirai<Node> deep = daemons.mirai(() -> {
                Node head = new Node();
                for (int i = 0; i < 1_000_000; i++) {
                    Node n = new Node();
                    n.next = head;
                    head = n;
                }
                return head;
            });
            Object d = DaemonsTest.awaitData(deep);
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).stackTraceText()).contains("StackOverflowError");
            await().atMost(WAIT)
                    .until(() -> daemons.status().daemons().get(0).instance() == 2
                            && daemons.status().connections() == 1);
            // the replacement is a fresh JVM: StringBuffer (broken for good in a JVM whose stack overflowed while
            // initialising it) works
            assertThat(daemons.mirai(() -> new StringBuffer("ok ").append(pid()).toString())
                            .get(WAIT))
                    .startsWith("ok ")
                    .doesNotEndWith(" " + pid);
        }
    }

    @Test
    void shouldAnswerOutOfMemoryThenReplaceTheDaemon() throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            long pid = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            Mirai<long[]> m = daemons.mirai(() -> new long[Integer.MAX_VALUE - 8]);
            Object d = DaemonsTest.awaitData(m);
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).className()).isEqualTo("java.lang.OutOfMemoryError");
            await().atMost(WAIT)
                    .until(() -> daemons.status().daemons().get(0).instance() == 2
                            && daemons.status().connections() == 1);
            assertThat(daemons.mirai(DaemonAnswersTest::pid).get(WAIT)).isNotEqualTo(pid);
        }
    }

    @Test
    void shouldReplaceADaemonATaskEndedWithSystemExitAndSayHowItEnded() throws Exception {
        try (Daemons daemons = Daemons.builder().local(1).fixedPool(true).start()) {
            long pid = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            Mirai<Object> m = daemons.mirai(() -> {
                System.exit(1);
                return null;
            });
            Object d = DaemonsTest.awaitData(m);
            assertThat(((ErrorValue) d).code()).isEqualTo(ErrorValue.CONNECTION_RESET);
            assertThat(((ErrorValue) d).message()).contains("pid=" + pid).contains("exitCode=1");
            await().atMost(WAIT)
                    .until(() -> daemons.status().daemons().get(0).instance() == 2
                            && daemons.status().connections() == 1);
            long second = daemons.mirai(DaemonAnswersTest::pid).get(WAIT);
            assertThat(second).isNotEqualTo(pid);

            Mirai<Object> killed = daemons.mirai(() -> {
                new ProcessBuilder("kill", "-9", String.valueOf(pid())).start().waitFor();
                Thread.sleep(30_000);
                return null;
            });
            ErrorValue e = (ErrorValue) DaemonsTest.awaitData(killed);
            assertThat(e.code()).isEqualTo(ErrorValue.CONNECTION_RESET);
            assertThat(e.message()).contains("exitCode=137").contains("signal 9");
        }
    }
}
