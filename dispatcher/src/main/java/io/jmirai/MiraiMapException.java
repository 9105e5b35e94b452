package io.jmirai;

/**
 * Thrown when a map collected with {@link MapOptions#stopOnError(boolean)} meets an element that resolved to an
 * {@link ErrorValue}; the map's other unresolved elements have been cancelled by then.
 */
public final class MiraiMapException extends MiraiException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final transient Object key;

    MiraiMapException(int index, Object key, ErrorValue errorValue) {
        super(
                "map stopped at index " + index + (key == null ? "" : " (key=" + key + ")")
                        + ": element resolved to an error: code=" + errorValue.code() + ", " + errorValue.message(),
                errorValue);
        this.index = index;
        this.key = key;
    }

    /** @return the failed element's index in the input */
    public int index() {
        return index;
    }

    /** @return the failed element's key when the input was a {@code Map}, else {@code null} */
    public Object key() {
        return key;
    }
}
