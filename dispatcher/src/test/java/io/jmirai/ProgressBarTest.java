package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The map progress bar is drawn on stderr when stderr is a terminal (a real pseudo-terminal from {@code script}), and
 * not when it is a pipe.
 */
@Tag("integration")
@Timeout(120)
class ProgressBarTest {
    /** A host program that maps over 8 items with the progress bar on. */
    public static void main(String[] args) throws Exception {
        try (Daemons daemons = Daemons.local(1)) {
            List<Object> out = daemons.map(List.of(1, 2, 3, 4, 5, 6, 7, 8), x -> x * 2)
                    .collect(MapOptions.defaults().progress(true), Duration.ofSeconds(60));
            System.out.println("result " + out);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void shouldDrawTheBarOnlyWhenStderrIsATerminal() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script");
        String cmd = java() + " -cp " + System.getProperty("java.class.path") + " " + ProgressBarTest.class.getName();

        Process tty = new ProcessBuilder("/usr/bin/script", "-qec", cmd, "/dev/null")
                .redirectErrorStream(true)
                .start();
        tty.getOutputStream().close();
        String onTerminal = new String(tty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tty.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(onTerminal).contains("result [2, 4, 6, 8, 10, 12, 14, 16]").contains("] 8/8");

        // The everyday case: results redirected to a file, the bar still on the terminal (stderr).
        Path results = Files.createTempFile("jmirai-results", ".txt");
        try {
            Process redirected = new ProcessBuilder("/usr/bin/script", "-qec", cmd + " > " + results, "/dev/null")
                    .redirectErrorStream(true)
                    .start();
            redirected.getOutputStream().close();
            String terminal = new String(redirected.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(redirected.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(terminal).contains("] 8/8").doesNotContain("result [");
            assertThat(Files.readString(results)).contains("result [2, 4, 6, 8, 10, 12, 14, 16]");
        } finally {
            Files.deleteIfExists(results);
        }

        Process piped = new ProcessBuilder(
                        java(), "-cp", System.getProperty("java.class.path"), ProgressBarTest.class.getName())
                .redirectErrorStream(true)
                .start();
        piped.getOutputStream().close();
        String onPipe = new String(piped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(piped.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(onPipe).contains("result [2, 4, 6, 8, 10, 12, 14, 16]").doesNotContain("8/8");
    }
}
