package io.jmirai;

/**
 * The task was stopped by an interrupt signal (SIGINT) to its daemon process, like R's {@code miraiInterrupt}: the
 * daemon interrupted the task's thread and stays up for later tasks. {@link #code()} is
 * {@value ErrorValue#INTERRUPTED}. A task that is cancelled from the host ({@link Mirai#stop()}) resolves to code
 * {@value ErrorValue#CANCELED} instead. Immutable and thread-safe.
 */
public final class MiraiInterrupt extends ErrorValue {
    MiraiInterrupt() {
        super(INTERRUPTED, "interrupted: the daemon process received an interrupt signal");
    }
}
