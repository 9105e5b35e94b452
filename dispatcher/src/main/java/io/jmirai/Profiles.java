package io.jmirai;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The compute profiles behind {@link Mirai#daemons(String, int)}: named, independent {@link Daemons}, like mirai's
 * {@code .compute}. A profile's daemons leave the registry when they close. Thread-safe.
 */
final class Profiles {
    static final String DEFAULT = "default";

    private static final Map<String, Daemons> BY_NAME = new HashMap<>();

    private Profiles() {}

    static synchronized Daemons find(String profile) {
        return BY_NAME.get(Objects.requireNonNull(profile, "profile"));
    }

    /** Closes the profile's daemons (if any), then starts new ones and registers them. */
    static Daemons replace(String profile, Daemons.Builder builder) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(builder, "builder");
        close(profile);
        Daemons d = builder.start();
        Daemons previous;
        synchronized (Profiles.class) {
            previous = BY_NAME.put(profile, d);
            d.profile(profile);
        }
        if (previous != null) { // two threads set the same profile at once: the last one wins
            previous.close();
        }
        return d;
    }

    static void close(String profile) {
        Daemons d;
        synchronized (Profiles.class) {
            d = BY_NAME.remove(Objects.requireNonNull(profile, "profile"));
        }
        if (d != null) {
            d.close();
        }
    }

    /** Called when {@code d} closes: it leaves its profile, unless another has taken its place. */
    static synchronized void closed(String profile, Daemons d) {
        BY_NAME.remove(profile, d);
    }
}
