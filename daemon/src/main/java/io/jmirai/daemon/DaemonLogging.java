package io.jmirai.daemon;

import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Sets up the daemon's logging before anything logs: with the slf4j-simple binding of the daemon's executable jar,
 * one line per event on the daemon's real stderr (kept even when the tasks' output is discarded), with a timestamp,
 * at the level of {@code --log-level}. A {@code -Dorg.slf4j.simpleLogger.*} property given on the command line wins
 * over these defaults; with another binding on the classpath (a local daemon sharing its host's classpath), that
 * binding's own configuration applies. Called once, from the main thread.
 */
final class DaemonLogging {
    /** The levels {@code --log-level} takes. */
    static final Set<String> LEVELS = Set.of("off", "error", "warn", "info", "debug", "trace");

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private DaemonLogging() {}

    /**
     * @param level one of {@link #LEVELS}, or null for {@code info} (unless set with {@code -D})
     * @throws IllegalArgumentException if the level is not one of {@link #LEVELS}
     */
    static void configure(String level) {
        if (level != null) {
            String l = level.strip().toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(l)) {
                throw new IllegalArgumentException(
                        "--log-level : " + level + " (expected: off, error, warn, info, debug or trace)");
            }
            System.setProperty(PREFIX + "defaultLogLevel", l);
        }
        setIfAbsent("defaultLogLevel", "info");
        setIfAbsent("logFile", "System.err");
        setIfAbsent("cacheOutputStream", "true"); // the real stderr, not the discarding stream tasks get
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("showThreadName", "false");
        setIfAbsent("showShortLogName", "true");
        LoggerFactory.getLogger(DaemonLogging.class); // binds now, while System.err is still the real one
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
