package io.jmirai;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A task that writes its daemon's pid to a file and then sleeps for a minute: a running task whose daemon a test can
 * kill or freeze.
 *
 * @param mirai the task's future
 * @param pid the pid of the daemon running it
 */
record Sleeper(Mirai<Integer> mirai, long pid) {
    /** Submits the task and returns once it runs. */
    static Sleeper start(Daemons daemons, Path dir) throws Exception {
        String pidFile = Files.createTempFile(dir, "pid", "").toString();
        Mirai<Integer> m = daemons.mirai(() -> {
            Files.writeString(
                    Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(60_000);
            return 1;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(Path.of(pidFile)) > 0);
        return new Sleeper(m, Long.parseLong(Files.readString(Path.of(pidFile))));
    }
}
