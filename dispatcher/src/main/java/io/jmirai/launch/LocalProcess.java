package io.jmirai.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A daemon process this host started. Its stderr goes to a private temporary file (unless the daemon keeps its
 * output), so a daemon that fails to start can be explained. Thread-safe.
 */
public final class LocalProcess {
    private static final int TAIL_BYTES = 8192;

    private final Process process;
    private final int slot;
    private final Path stderrFile;

    LocalProcess(Process process, int slot, Path stderrFile) {
        this.process = process;
        this.slot = slot;
        this.stderrFile = stderrFile;
    }

    /** @return the process */
    public Process process() {
        return process;
    }

    /** @return the daemon's slot */
    public int slot() {
        return slot;
    }

    /** @return the last 8 KiB of the daemon's stderr, or a note that it went to the host's terminal */
    public String stderr() {
        if (stderrFile == null) {
            return "(stderr was inherited by the host)";
        }
        try {
            byte[] all = Files.readAllBytes(stderrFile);
            int from = Math.max(0, all.length - TAIL_BYTES);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /**
     * Waits for the process to exit, then kills it if it has not; removes its stderr file.
     *
     * @param timeout how long to wait before killing
     */
    public void stop(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteLog();
        }
    }

    /**
     * Stops many processes under one deadline: waits for all of them together at most {@code timeout}, kills those
     * still running, waits (at most 5 s in all) for them to die, and removes their stderr files. However many are
     * stuck, this takes at most {@code timeout} + 5 s.
     */
    public static void stopAll(java.util.Collection<LocalProcess> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (LocalProcess p : processes) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    p.process.waitFor(left, TimeUnit.NANOSECONDS);
                }
            }
            for (LocalProcess p : processes) {
                if (p.process.isAlive()) {
                    p.process.destroyForcibly();
                }
            }
            long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (LocalProcess p : processes) {
                long left = killDeadline - System.nanoTime();
                if (left > 0) {
                    p.process.waitFor(left, TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            for (LocalProcess p : processes) {
                p.process.destroyForcibly();
            }
            Thread.currentThread().interrupt();
        } finally {
            for (LocalProcess p : processes) {
                p.deleteLog();
            }
        }
    }

    void deleteLog() {
        if (stderrFile != null) {
            try {
                Files.deleteIfExists(stderrFile);
            } catch (IOException e) {
                // a temporary file; the OS cleans it up
            }
        }
    }

    @Override
    public String toString() {
        return "LocalProcess{pid=" + process.pid() + ", slot=" + slot + "}";
    }
}
