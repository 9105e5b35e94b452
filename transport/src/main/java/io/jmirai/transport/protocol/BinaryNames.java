package io.jmirai.transport.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Strict checks of the class names remote class loading carries ({@link ClassFrames}): a binary name is Java
 * identifiers separated by single dots ({@code com.example.Outer$Inner}, {@code $} allowed), at most
 * {@link ClassFrames#MAX_NAME_BYTES} bytes of UTF-8, and never in {@code java.*}. Anything else, such as a resource
 * path ({@code META-INF/MANIFEST.MF}), {@code ..}, a slash, an array descriptor or an identifier-ignorable control
 * character, is refused. A name that passes maps to exactly one resource, {@code name.replace('.', '/') + ".class"}:
 * a host never serves anything but class files. Stateless; thread-safe.
 */
public final class BinaryNames {
    private BinaryNames() {}

    /**
     * @param name a name received from a peer (may be null)
     * @return null if {@code name} is a binary name that may be served, else why not (lowercase, for an error message)
     */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty class name";
        }
        if (name.length() > ClassFrames.MAX_NAME_BYTES
                || name.getBytes(StandardCharsets.UTF_8).length > ClassFrames.MAX_NAME_BYTES) {
            return "class name too long: maxBytes=" + ClassFrames.MAX_NAME_BYTES;
        }
        if (name.startsWith("java.")) {
            return "java.* classes are never served: name=" + name;
        }
        boolean segmentStart = true;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (c == '.') {
                if (segmentStart) {
                    return "not a binary name (empty segment): name=" + printable(name);
                }
                segmentStart = true;
            } else {
                boolean ok = !Character.isIdentifierIgnorable(c)
                        && (segmentStart ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c));
                if (!ok) {
                    return "not a binary name (character " + describe(c) + " at " + i + "): name=" + printable(name);
                }
                segmentStart = false;
            }
            i += Character.charCount(c);
        }
        if (segmentStart) {
            return "not a binary name (ends with a dot): name=" + printable(name);
        }
        return null;
    }

    /** @return whether {@link #problem} finds nothing wrong with {@code name} */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /** @return the one resource a valid binary name may be served from: {@code a/b/C$D.class} */
    public static String resourceName(String name) {
        return name.replace('.', '/') + ".class";
    }

    private static String describe(int c) {
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    /** @return the name with control characters escaped and cut to 200 characters, for messages and logs */
    private static String printable(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 200; i++) {
            char c = name.charAt(i);
            b.append(c >= 0x20 && c != 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return name.length() > 200 ? b + "…" : b.toString();
    }
}
