package io.jmirai.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jmirai.api.DaemonContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OutputFilesCallTest {
    @Test
    void shouldCollectTheMatchingFilesOfTheTasksOwnDirectoryAndDeleteIt() throws Exception {
        AtomicReference<Path> seen = new AtomicReference<>();
        OutputFilesCall<String> call = new OutputFilesCall<>(
                () -> {
                    Path own = DaemonContext.taskDirectory();
                    seen.set(own);
                    Files.writeString(own.resolve("a.csv"), "1,2");
                    Files.writeString(own.resolve("b.log"), "skip");
                    return "value";
                },
                "*.csv");
        TaskOutput out = (TaskOutput) call.call();
        assertThat(out.value()).isEqualTo("value");
        assertThat(out.names()).containsExactly("a.csv");
        assertThat(new String(out.contents().get(0), StandardCharsets.UTF_8)).isEqualTo("1,2");
        assertThat(seen.get()).doesNotExist();
        assertThat(OutputFilesCall.directory()).isNull();
        assertThat(DaemonContext.taskDirectory()).isEqualTo(Path.of(System.getProperty("user.dir")));
    }

    @Test
    void shouldDeleteTheDirectoryWhenTheTaskThrows() {
        AtomicReference<Path> seen = new AtomicReference<>();
        OutputFilesCall<String> call = new OutputFilesCall<>(
                () -> {
                    seen.set(DaemonContext.taskDirectory());
                    Files.writeString(seen.get().resolve("a.csv"), "x");
                    throw new IllegalStateException("boom");
                },
                "*.csv");
        assertThatThrownBy(call::call).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(seen.get()).doesNotExist();
    }
}
