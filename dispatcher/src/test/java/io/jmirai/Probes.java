package io.jmirai;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/** Side effects that tasks leave in files, so tests can tell what ran (and what never did) in a daemon. */
final class Probes {
    static final Duration WAIT = Duration.ofSeconds(30);

    private Probes() {}

    /** Appends one line; called in daemons. */
    static void append(String file, String line) throws IOException {
        Files.writeString(
                Path.of(file),
                line + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Writes this daemon's pid to {@code file}; called in daemons. */
    static void writePid(String file) throws IOException {
        Path tmp = Path.of(file + ".tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, Path.of(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** Waits for a pid file written by {@link #writePid} and returns the pid. */
    static long awaitPid(Path file) throws IOException {
        await().atMost(WAIT).until(() -> Files.exists(file));
        return Long.parseLong(Files.readString(file).strip());
    }

    /** Waits until every task sent to a daemon has been answered (late answers of stopped tasks included). */
    static void awaitDaemonsAnswered(Daemons daemons) {
        await().atMost(WAIT).until(() -> {
            Status s = daemons.status();
            long assigned = s.daemons().stream()
                    .filter(Status.DaemonStatus::online)
                    .mapToLong(Status.DaemonStatus::assigned)
                    .sum();
            long complete = s.daemons().stream()
                    .filter(Status.DaemonStatus::online)
                    .mapToLong(Status.DaemonStatus::complete)
                    .sum();
            return assigned == complete;
        });
    }

    static int code(Mirai<?> m) throws Exception {
        return ((ErrorValue) DaemonsTest.awaitData(m)).code();
    }
}
