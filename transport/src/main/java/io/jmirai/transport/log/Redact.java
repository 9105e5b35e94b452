package io.jmirai.transport.log;

import io.jmirai.transport.ListenUrl;
import java.util.regex.Pattern;

/** Renders values that may carry credentials in a form fit for a log. Stateless and thread-safe. */
public final class Redact {
    /** A per-daemon path {@code /slot/token}: the token admits a daemon, so it never goes to a log. */
    private static final Pattern SLOT_TOKEN = Pattern.compile("^(/\\d{1,9})/[^/]+(/?)$");

    private Redact() {}

    /**
     * @param url a URL, possibly with a per-daemon path
     * @return the URL with a per-daemon token replaced by {@code ***}: {@code wss://h:5555/1/Xq3} becomes
     *     {@code wss://h:5555/1/***}
     */
    public static String url(ListenUrl url) {
        String path = SLOT_TOKEN.matcher(url.path()).replaceFirst("$1/***$2");
        return new ListenUrl(url.scheme(), url.host(), url.port(), path).toString();
    }
}
