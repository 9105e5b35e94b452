package io.jmirai.transport.serial;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Bounds on what decoding one payload may do, for payloads from a peer that is not fully trusted (results from
 * daemons):
 *
 * <ul>
 *   <li>{@code maxBytes}: a longer payload is refused before it is read;
 *   <li>declared sizes: every array, collection, map and string length read from the payload is charged against a
 *       budget of twice the payload's length (a well-formed payload spends at least one byte per element, and each
 *       byte is counted at most twice: as an element of its container and as a character of its string), so nothing
 *       is allocated for elements that are not there: memory stays within a small multiple of the payload;
 *   <li>{@code maxDepth}: object graphs nested deeper are refused (before the stack overflows);
 *   <li>{@code allowedClasses}: if not null, only these classes, arrays of them, primitives and a small set of plain
 *       JDK value and collection types ({@link #BASE_CLASSES}) are instantiated; any other class named in the payload
 *       is refused before it is loaded for use, so no constructor, {@code readObject}, {@code hashCode} or static
 *       initialiser of an unexpected host class runs.
 * </ul>
 *
 * @param maxBytes the longest payload decoded
 * @param maxDepth the deepest object nesting decoded
 * @param allowedClasses the classes results may contain besides {@link #BASE_CLASSES}, or null for any class
 */
public record DecodeLimits(int maxBytes, int maxDepth, Set<Class<?>> allowedClasses) {
    /** The default nesting limit: deep enough for any sensible value, shallow enough for a 512 KiB thread stack. */
    public static final int DEFAULT_MAX_DEPTH = 1000;

    /** No limit but the frame's length and the bytes present, any class: for payloads from a trusted peer. */
    public static final DecodeLimits TRUSTED = new DecodeLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, null);

    /** Always allowed when an allowlist is set: JDK types whose decoding runs no code of interest. */
    public static final Set<Class<?>> BASE_CLASSES = Set.of(
            Object.class,
            String.class,
            Boolean.class,
            Byte.class,
            Character.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            BigInteger.class,
            BigDecimal.class,
            UUID.class,
            Duration.class,
            Instant.class,
            LocalDate.class,
            LocalTime.class,
            LocalDateTime.class,
            ArrayList.class,
            LinkedList.class,
            ArrayDeque.class,
            HashMap.class,
            LinkedHashMap.class,
            TreeMap.class,
            HashSet.class,
            LinkedHashSet.class,
            TreeSet.class);

    /** Checks the bounds and copies the allowlist. */
    public DecodeLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes : " + maxBytes + " (expected: > 0)");
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth : " + maxDepth + " (expected: > 0)");
        }
        allowedClasses = allowedClasses == null ? null : Set.copyOf(allowedClasses);
    }

    /** @return whether a payload may contain an instance of {@code type} */
    public boolean allows(Class<?> type) {
        if (allowedClasses == null || type.isPrimitive()) {
            return true;
        }
        if (type.isArray()) {
            return allows(type.getComponentType());
        }
        return BASE_CLASSES.contains(type) || allowedClasses.contains(type);
    }
}
