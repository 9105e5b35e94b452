package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.launch.DaemonJar;
import io.jmirai.launch.LocalLauncher;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Local daemons for a host whose classpath does not hold the daemon (as under {@code mvn exec:java}): the launcher
 * finds the daemon jar itself, here beside the daemon module's jar on this JVM's classpath.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LeakCheck.class)
class DaemonJarLaunchTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldFindTheExecutableDaemonJarFromTheClasspath() {
        Path jar = DaemonJar.locate();
        assertThat(jar).isRegularFile();
        assertThat(jar.getFileName().toString()).matches("jmirai-daemon(-.*-all)?\\.jar");
    }

    @Test
    void shouldStartLocalDaemonsFromTheDaemonJarWhenTheClasspathLacksTheDaemon() throws Exception {
        String testClassesOnly =
                Path.of("target", "test-classes").toAbsolutePath().toString();
        try (Daemons daemons = Daemons.builder()
                .launcher(LocalLauncher.forClasspath(testClassesOnly))
                .local(1)
                .start()) {
            assertThat(daemons.mirai(JdkOnlyTasks.javaVersionTimes(2)).get(WAIT))
                    .isEqualTo("1717");
        }
    }
}
