package io.jmirai.daemon;

import io.jmirai.api.internal.TaskScope;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;

/**
 * What a daemon's per-task cleanup returns to: the system properties, default locale, time zone and
 * {@code DaemonContext} as the last successful {@code everywhere} setup (or the daemon's start) left them.
 * {@link #restore()} after an ordinary task and {@link #commit()} after a setup.
 *
 * <p>Restoring costs next to nothing when the task changed nothing: the system properties are a
 * {@link RecordingProperties} that notes writes, so they are copied back only after a task wrote to them (or replaced
 * them with {@code System.setProperties}); locale and time zone are set back only when they differ.
 *
 * <p>Threading: confined to the daemon's worker thread after construction.
 */
final class CleanupBaseline {
    private Properties properties;
    private RecordingProperties installed;
    private Locale locale;
    private TimeZone timeZone;

    /** Takes the current state as the baseline and installs recording system properties. */
    CleanupBaseline() {
        properties = copy(System.getProperties());
        install();
        locale = Locale.getDefault();
        timeZone = TimeZone.getDefault();
    }

    /** Puts everything back to the baseline (after an ordinary task). */
    void restore() {
        if (System.getProperties() != installed || installed.written()) {
            install();
        }
        if (!Locale.getDefault().equals(locale)
                || !Locale.getDefault(Locale.Category.FORMAT).equals(locale)
                || !Locale.getDefault(Locale.Category.DISPLAY).equals(locale)) {
            Locale.setDefault(locale);
        }
        if (!TimeZone.getDefault().equals(timeZone)) {
            TimeZone.setDefault(timeZone);
        }
        TaskScope.restoreBaseline();
    }

    /** Makes the current state the baseline (after a successful {@code everywhere} setup). */
    void commit() {
        properties = copy(System.getProperties());
        install();
        locale = Locale.getDefault();
        timeZone = TimeZone.getDefault();
        TaskScope.commitBaseline();
    }

    /** @return whether the system properties in force are the recording ones this baseline installed */
    boolean recording() {
        return System.getProperties() == installed;
    }

    private void install() {
        installed = new RecordingProperties(properties);
        System.setProperties(installed);
    }

    private static Properties copy(Properties p) {
        Properties copy = new Properties();
        copy.putAll(p);
        return copy;
    }
}
