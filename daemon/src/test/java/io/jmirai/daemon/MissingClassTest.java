package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.transport.serial.RemoteError;
import org.junit.jupiter.api.Test;

/** A task that fails for want of a class says which class and which option fixes it. */
class MissingClassTest {
    @Test
    void shouldNameTheClassAndTheClasspathOptionForNoClassDefFoundError() {
        RemoteError e = MissingClass.describe(new NoClassDefFoundError("io/jmirai/MiraiException"));
        assertThat(e.className()).isEqualTo("java.lang.NoClassDefFoundError");
        assertThat(e.message())
                .startsWith("io/jmirai/MiraiException (class not found on the daemon: io.jmirai.MiraiException;")
                .contains("--classpath")
                .contains("jmirai-dispatcher-VERSION.jar");
    }

    @Test
    void shouldFindAClassNotFoundExceptionAmongTheCauses() {
        RuntimeException decoding = new RuntimeException(
                "Unable to find class: com.example.Job", new ClassNotFoundException("com.example.Job"));
        assertThat(MissingClass.missingClassName(decoding)).isEqualTo("com.example.Job");
        RemoteError e = MissingClass.describe(decoding);
        assertThat(e.className()).isEqualTo("java.lang.RuntimeException");
        assertThat(e.message())
                .contains("class not found on the daemon: com.example.Job; remote class loading is off (the daemon was"
                        + " started with --no-class-loading); start the daemon with --classpath")
                .contains("shipClasses(true)");
        assertThat(e.cause()).isNotNull();
    }

    @Test
    void shouldSayWhyRemoteClassLoadingDidNotSupplyTheClass() {
        NoClassDefFoundError linking = new NoClassDefFoundError("com/example/Lib");
        linking.initCause(new ClassNotFoundException(
                "com.example.Lib",
                new ClassFetcher.ClassNotServedException("the host does not serve it either: not found")));
        assertThat(MissingClass.missingClassName(linking)).isEqualTo("com.example.Lib");
        assertThat(MissingClass.describe(linking).message())
                .contains("class not found on the daemon: com.example.Lib; remote class loading did not supply it:"
                        + " the host does not serve it either: not found; start the daemon with --classpath");
    }

    @Test
    void shouldLeaveOtherErrorsAlone() {
        assertThat(MissingClass.missingClassName(new NoClassDefFoundError("Could not initialize class x.Y")))
                .isNull();
        IllegalStateException plain = new IllegalStateException("boom");
        assertThat(MissingClass.describe(plain)).isEqualTo(RemoteError.of(plain));
        assertThat(MissingClass.missingClassName(new NoClassDefFoundError())).isNull();
    }
}
