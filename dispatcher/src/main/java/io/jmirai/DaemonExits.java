package io.jmirai;

import io.jmirai.api.ExitCode;
import io.jmirai.dispatcher.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Adds how a local daemon ended (exit code, or the signal that killed it) to the code-19 error of a task it was
 * running: the dispatcher sees the connection drop, this class waits (at most {@link #WAIT_SECONDS} s, without
 * blocking a thread) for the process's exit status and only then resolves the task. Daemons that are not local
 * processes of this JVM resolve at once, with the pid only.
 *
 * <p>Thread-safe.
 */
final class DaemonExits {
    static final long WAIT_SECONDS = 2;
    private static final int MAX_TRACKED = 4096;

    private final Map<Long, Process> byPid = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Process> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    /** Remembers a local daemon process (kept after it exits, so that a loss noticed late still finds it). */
    synchronized void track(Process p) {
        byPid.put(p.pid(), p);
    }

    private synchronized Process find(long pid) {
        return byPid.get(pid);
    }

    /** @return a listener that turns {@link Outcome.Lost} into a code-19 failure saying how the daemon ended */
    Consumer<Outcome> reporting(Consumer<Outcome> listener) {
        return o -> {
            if (!(o instanceof Outcome.Lost lost)) {
                listener.accept(o);
                return;
            }
            Process p = find(lost.pid());
            if (p == null) {
                listener.accept(new Outcome.Failure(ErrorValue.CONNECTION_RESET, lost.message()));
                return;
            }
            p.onExit()
                    .completeOnTimeout(p, WAIT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((x, e) -> listener.accept(
                            new Outcome.Failure(ErrorValue.CONNECTION_RESET, lost.message() + ", " + describe(p))));
        };
    }

    static String describe(Process p) {
        return p.isAlive() ? "process still running" : ExitCode.describe(p.exitValue());
    }
}
