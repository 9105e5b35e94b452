package io.jmirai.daemon;

import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * System properties that remember whether anyone wrote to them, so that a daemon's per-task cleanup costs nothing
 * when the task changed nothing. Installed with {@link System#setProperties}; every mutating method of
 * {@link Properties} (and of {@link java.util.Hashtable}, which it extends) sets the flag before it delegates, and so
 * do the {@link #keySet()}, {@link #entrySet()} and {@link #values()} views, which allow removal: conservatively, the
 * flag may be set by a read through a view, never missed by a write. A task that replaces the whole object
 * ({@code System.setProperties}) is caught by the caller comparing identity.
 *
 * <p>Threading: as {@link Properties} (thread-safe); the flag is volatile, read and cleared by the daemon's worker.
 */
final class RecordingProperties extends Properties {
    private static final long serialVersionUID = 1L;

    private volatile boolean written;

    /** @param contents copied into the new object; the new object starts unwritten */
    RecordingProperties(Map<?, ?> contents) {
        super.putAll(contents);
    }

    /** @return whether anything may have been written since construction or the last {@link #clearWritten()} */
    boolean written() {
        return written;
    }

    /** Forgets earlier writes (after a baseline was taken of the current contents). */
    void clearWritten() {
        written = false;
    }

    @Override
    public synchronized Object setProperty(String key, String value) {
        written = true;
        return super.setProperty(key, value);
    }

    @Override
    public synchronized Object put(Object key, Object value) {
        written = true;
        return super.put(key, value);
    }

    @Override
    public synchronized Object remove(Object key) {
        written = true;
        return super.remove(key);
    }

    @Override
    public synchronized boolean remove(Object key, Object value) {
        written = true;
        return super.remove(key, value);
    }

    @Override
    public synchronized void putAll(Map<?, ?> t) {
        written = true;
        super.putAll(t);
    }

    @Override
    public synchronized void clear() {
        written = true;
        super.clear();
    }

    @Override
    public synchronized Object putIfAbsent(Object key, Object value) {
        written = true;
        return super.putIfAbsent(key, value);
    }

    @Override
    public synchronized boolean replace(Object key, Object oldValue, Object newValue) {
        written = true;
        return super.replace(key, oldValue, newValue);
    }

    @Override
    public synchronized Object replace(Object key, Object value) {
        written = true;
        return super.replace(key, value);
    }

    @Override
    public synchronized void replaceAll(BiFunction<? super Object, ? super Object, ?> function) {
        written = true;
        super.replaceAll(function);
    }

    @Override
    public synchronized Object computeIfAbsent(Object key, Function<? super Object, ?> mappingFunction) {
        written = true;
        return super.computeIfAbsent(key, mappingFunction);
    }

    @Override
    public synchronized Object computeIfPresent(
            Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        written = true;
        return super.computeIfPresent(key, remappingFunction);
    }

    @Override
    public synchronized Object compute(Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        written = true;
        return super.compute(key, remappingFunction);
    }

    @Override
    public synchronized Object merge(
            Object key, Object value, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        written = true;
        return super.merge(key, value, remappingFunction);
    }

    @Override
    public Set<Object> keySet() {
        written = true;
        return super.keySet();
    }

    @Override
    public Set<Map.Entry<Object, Object>> entrySet() {
        written = true;
        return super.entrySet();
    }

    @Override
    public Collection<Object> values() {
        written = true;
        return super.values();
    }

    @Override
    public synchronized boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public synchronized int hashCode() {
        return super.hashCode();
    }
}
