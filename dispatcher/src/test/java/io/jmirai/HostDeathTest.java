package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Local daemons die with their host, even when the host is killed with no chance to clean up. */
@Tag("integration")
@Timeout(120)
class HostDeathTest {
    /** A host program: starts two local daemons, prints their pids, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        Daemons daemons = Daemons.local(2);
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pids.add(daemons.mirai(() -> ProcessHandle.current().pid()).get(Duration.ofSeconds(30)));
        }
        System.out.println("daemons " + pids.get(0) + " " + pids.get(1));
        System.out.flush();
        Thread.sleep(120_000);
    }

    @Test
    void shouldStopLocalDaemonsWhenTheHostIsKilled() throws Exception {
        Process host = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HostDeathTest.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("daemons "));
            assertThat(line).as("host printed its daemons' pids").isNotNull();
            String[] parts = line.split(" ");
            List<ProcessHandle> daemons = List.of(
                    ProcessHandle.of(Long.parseLong(parts[1])).orElseThrow(),
                    ProcessHandle.of(Long.parseLong(parts[2])).orElseThrow());
            assertThat(daemons).allMatch(ProcessHandle::isAlive);

            host.destroyForcibly(); // SIGKILL: no shutdown hook runs in the host
            await().atMost(Duration.ofSeconds(30)).until(() -> daemons.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            host.destroyForcibly();
        }
    }
}
