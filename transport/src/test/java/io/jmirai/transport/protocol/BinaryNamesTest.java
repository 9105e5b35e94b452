package io.jmirai.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BinaryNamesTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Top",
                "com.example.Job",
                "com.example.Outer$Inner",
                "com.example.Outer$1",
                "com.example.Job$$Lambda",
                "_.$",
                "été.Classe",
                "config.properties", // a valid name: it maps to config/properties.class, never to the file
                "javax.annotation.Nonnull",
                "javafx.Thing",
            })
    void shouldAcceptBinaryNames(String name) {
        assertThat(BinaryNames.problem(name)).isNull();
        assertThat(BinaryNames.isValid(name)).isTrue();
        assertThat(BinaryNames.resourceName(name)).endsWith(".class").doesNotContain("..");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ".",
                "..",
                "a..b",
                ".a",
                "a.",
                "../etc/passwd",
                "a/b",
                "com/example/Job",
                "META-INF/MANIFEST.MF",
                "META-INF.MANIFEST",
                "module-info",
                "a.package-info",
                "app.properties/x",
                "1abc",
                "a.1b",
                "a b",
                "a\\b",
                "[Ljava.lang.String;",
                "a;b",
                "a\u0000b",
                "a\u0008b",
                "a\u200bb",
                "java.lang.String",
                "java.Evil",
            })
    void shouldRefuseWhatIsNotAServableBinaryName(String name) {
        assertThat(BinaryNames.problem(name)).isNotNull();
        assertThat(BinaryNames.isValid(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 1025, 70000})
    void shouldRefuseOverlongNames(int length) {
        String name = "a".repeat(length);
        if (length <= ClassFrames.MAX_NAME_BYTES) {
            assertThat(BinaryNames.problem(name)).isNull();
        } else {
            assertThat(BinaryNames.problem(name)).startsWith("class name too long");
        }
        String wide = "é".repeat(513); // 1026 UTF-8 bytes in 513 characters
        assertThat(BinaryNames.problem(wide)).startsWith("class name too long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"java.lang.String", "java.util.concurrent.Callable"})
    void shouldSayWhyJavaClassesAreRefused(String name) {
        assertThat(BinaryNames.problem(name)).isEqualTo("java.* classes are never served: name=" + name);
    }
}
