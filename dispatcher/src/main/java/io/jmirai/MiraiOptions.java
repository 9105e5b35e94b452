package io.jmirai;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options for one task: its timeout and its retries. Immutable: each method returns a copy (or use
 * {@link #builder()}); what is not set falls back to the {@link Daemons.Builder} defaults (no timeout, no retries).
 * Thread-safe.
 *
 * <pre>{@code
 * Mirai<Report> m = daemons.mirai(() -> crunch(data), MiraiOptions.defaults().timeout(Duration.ofMinutes(2)).retries(1));
 * }</pre>
 */
public final class MiraiOptions {
    private static final MiraiOptions DEFAULTS = new MiraiOptions(null, -1);

    private final Duration timeout;
    private final int retries;

    private MiraiOptions(Duration timeout, int retries) {
        this.timeout = timeout;
        this.retries = retries;
    }

    /** @return options that set nothing: the {@link Daemons} defaults apply */
    public static MiraiOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param value the timeout, counted from submission ({@code mirai(...)}), queue time included; when it runs out
     *     the task resolves to {@value ErrorValue#TIMED_OUT} and is cancelled: dropped if still queued, interrupted on
     *     its daemon if running
     * @return a copy with the timeout
     */
    public MiraiOptions timeout(Duration value) {
        Objects.requireNonNull(value, "timeout");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("timeout : " + value + " (expected: > 0)");
        }
        return new MiraiOptions(value, retries);
    }

    /**
     * @param n how many times the task is queued again when its daemon is lost while running it (0: none, it resolves
     *     to {@value ErrorValue#CONNECTION_RESET}); after {@code n} retries, one more loss resolves it to a
     *     {@link RetriesExhausted} ({@value ErrorValue#RETRIES_EXHAUSTED}). Only a lost daemon causes a retry, never
     *     an error the task raises, so nothing runs twice otherwise
     * @return a copy with the retries
     */
    public MiraiOptions retries(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("retries : " + n + " (expected: >= 0)");
        }
        return new MiraiOptions(timeout, n);
    }

    /** @return the timeout, if set */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return the retries, if set */
    public OptionalInt retries() {
        return retries < 0 ? OptionalInt.empty() : OptionalInt.of(retries);
    }

    /** @return a builder, another spelling of {@code defaults().timeout(…).retries(…)} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link MiraiOptions}. Not thread-safe. */
    public static final class Builder {
        private MiraiOptions options = DEFAULTS;

        private Builder() {}

        /** See {@link MiraiOptions#timeout(Duration)}. */
        public Builder timeout(Duration value) {
            options = options.timeout(value);
            return this;
        }

        /** See {@link MiraiOptions#retries(int)}. */
        public Builder retries(int n) {
            options = options.retries(n);
            return this;
        }

        /** @return the options */
        public MiraiOptions build() {
            return options;
        }
    }

    /** @return these options, with {@code fallback}'s where these set nothing */
    MiraiOptions orElse(MiraiOptions fallback) {
        return new MiraiOptions(
                timeout != null ? timeout : fallback.timeout, retries >= 0 ? retries : fallback.retries);
    }

    @Override
    public String toString() {
        return "MiraiOptions{timeout=" + (timeout == null ? "none" : timeout) + ", retries="
                + (retries < 0 ? "default" : retries) + "}";
    }
}
