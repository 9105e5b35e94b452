package io.jmirai.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jmirai.api.DaemonContext;
import io.jmirai.api.internal.TaskScope;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-task cleanup ({@link CleanupBaseline}, {@link RecordingProperties}) by plain calls on this thread. */
class CleanupBaselineTest {
    private Properties saved;
    private Locale savedLocale;
    private TimeZone savedZone;

    @BeforeEach
    void save() {
        saved = System.getProperties();
        savedLocale = Locale.getDefault();
        savedZone = TimeZone.getDefault();
        TaskScope.reset();
    }

    @AfterEach
    void putBack() {
        System.setProperties(saved);
        Locale.setDefault(savedLocale);
        TimeZone.setDefault(savedZone);
        TaskScope.reset();
    }

    @Test
    void shouldCopyNothingWhenTheTaskChangedNothing() {
        CleanupBaseline baseline = new CleanupBaseline();
        Properties installed = System.getProperties();
        assertThat(baseline.recording()).isTrue();
        assertThat(System.getProperty("java.version")).isEqualTo(saved.getProperty("java.version"));
        baseline.restore();
        assertThat(System.getProperties())
                .as("no write: the same object stays, nothing was copied")
                .isSameAs(installed);
    }

    @Test
    void shouldDetectAWriteAndRestoreTheBaseline() {
        CleanupBaseline baseline = new CleanupBaseline();
        String before = System.getProperty("java.version");
        System.setProperty("jmirai.test.scratch", "1");
        System.setProperty("java.version", "changed");
        baseline.restore();
        assertThat(System.getProperty("jmirai.test.scratch")).isNull();
        assertThat(System.getProperty("java.version")).isEqualTo(before);
        assertThat(baseline.recording()).as("still recording after a restore").isTrue();

        Properties installed = System.getProperties();
        System.clearProperty("java.version");
        baseline.restore();
        assertThat(System.getProperty("java.version")).isEqualTo(before);
        assertThat(System.getProperties()).isNotSameAs(installed);
    }

    @Test
    void shouldDetectWritesThroughTheViewsAndAReplacedObject() {
        CleanupBaseline baseline = new CleanupBaseline();
        System.getProperties().keySet().remove("java.version");
        baseline.restore();
        assertThat(System.getProperty("java.version")).isNotNull();

        System.getProperties().entrySet().removeIf(e -> e.getKey().equals("java.version"));
        baseline.restore();
        assertThat(System.getProperty("java.version")).isNotNull();

        Properties other = new Properties();
        other.setProperty("only", "this");
        System.setProperties(other);
        baseline.restore();
        assertThat(System.getProperty("only")).isNull();
        assertThat(System.getProperty("java.version")).isNotNull();
        assertThat(baseline.recording()).isTrue();
    }

    @Test
    void shouldKeepWhatASetupCommitted() {
        CleanupBaseline baseline = new CleanupBaseline();
        System.setProperty("jmirai.test.model", "v1");
        Locale.setDefault(Locale.JAPAN);
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
        DaemonContext.put("model", "m1");
        baseline.commit();

        Properties installed = System.getProperties();
        baseline.restore();
        assertThat(System.getProperties()).as("committed: nothing to restore").isSameAs(installed);

        System.setProperty("jmirai.test.model", "v2");
        Locale.setDefault(Locale.GERMANY);
        Locale.setDefault(Locale.Category.FORMAT, Locale.FRANCE);
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        DaemonContext.put("model", "changed");
        DaemonContext.put("scratch", 1);
        baseline.restore();
        assertThat(System.getProperty("jmirai.test.model")).isEqualTo("v1");
        assertThat(Locale.getDefault()).isEqualTo(Locale.JAPAN);
        assertThat(Locale.getDefault(Locale.Category.FORMAT)).isEqualTo(Locale.JAPAN);
        assertThat(TimeZone.getDefault().getID()).isEqualTo("Asia/Tokyo");
        assertThat(DaemonContext.keys()).containsExactly("model");
        assertThat(DaemonContext.<String>get("model")).isEqualTo("m1");
    }
}
