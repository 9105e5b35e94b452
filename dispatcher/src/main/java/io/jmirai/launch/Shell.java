package io.jmirai.launch;

import java.util.List;
import java.util.regex.Pattern;

/** POSIX shell quoting. */
final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /** @return {@code arg} as one shell word: unchanged when safe, else in single quotes */
    static String quote(String arg) {
        if (!arg.isEmpty() && SAFE.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** @return the arguments as one shell line */
    static String join(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(quote(a));
        }
        return b.toString();
    }
}
