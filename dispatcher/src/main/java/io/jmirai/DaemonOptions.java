package io.jmirai;

import io.jmirai.api.AutoExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options for the daemons a host launches, turned into the daemon's command-line options. Immutable: each
 * {@code with…} method returns a copy. Thread-safe.
 *
 * <pre>{@code
 * DaemonOptions.defaults().idleTime(Duration.ofMinutes(5)).maxTasks(100)
 * }</pre>
 */
public final class DaemonOptions {
    private static final DaemonOptions DEFAULTS =
            new DaemonOptions(AutoExit.NOW, null, null, 0, true, false, null, null, true);

    private final AutoExit autoExit;
    private final Duration idleTime;
    private final Duration wallTime;
    private final int maxTasks;
    private final boolean cleanup;
    private final boolean output;
    private final String classpath;
    private final Duration dialTimeout;
    private final boolean classLoading;

    private DaemonOptions(
            AutoExit autoExit,
            Duration idleTime,
            Duration wallTime,
            int maxTasks,
            boolean cleanup,
            boolean output,
            String classpath,
            Duration dialTimeout,
            boolean classLoading) {
        this.autoExit = autoExit;
        this.idleTime = idleTime;
        this.wallTime = wallTime;
        this.maxTasks = maxTasks;
        this.cleanup = cleanup;
        this.output = output;
        this.classpath = classpath;
        this.dialTimeout = dialTimeout;
        this.classLoading = classLoading;
    }

    /** @return the defaults: autoexit now, no limits, cleanup on, output discarded */
    public static DaemonOptions defaults() {
        return DEFAULTS;
    }

    /** @return a copy with {@code autoExit}: what the daemon does when the host goes away */
    public DaemonOptions autoExit(AutoExit value) {
        return new DaemonOptions(
                Objects.requireNonNull(value, "autoExit"),
                idleTime,
                wallTime,
                maxTasks,
                cleanup,
                output,
                classpath,
                dialTimeout,
                classLoading);
    }

    /** @return a copy whose daemons exit (code 81, {@code ExitCode.IDLE_TIME}) after {@code value} without a task */
    public DaemonOptions idleTime(Duration value) {
        return new DaemonOptions(
                autoExit,
                positive("idleTime", value),
                wallTime,
                maxTasks,
                cleanup,
                output,
                classpath,
                dialTimeout,
                classLoading);
    }

    /** @return a copy whose daemons exit (code 82, {@code ExitCode.WALL_TIME}) after {@code value} in all, once the running task is done */
    public DaemonOptions wallTime(Duration value) {
        return new DaemonOptions(
                autoExit,
                idleTime,
                positive("wallTime", value),
                maxTasks,
                cleanup,
                output,
                classpath,
                dialTimeout,
                classLoading);
    }

    /** @return a copy whose daemons exit (code 83, {@code ExitCode.MAX_TASKS}) after {@code value} tasks (0: no limit) */
    public DaemonOptions maxTasks(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("maxTasks : " + value + " (expected: >= 0)");
        }
        return new DaemonOptions(
                autoExit, idleTime, wallTime, value, cleanup, output, classpath, dialTimeout, classLoading);
    }

    /** @return a copy that does (or does not) restore system properties, locale and time zone after each task */
    public DaemonOptions cleanup(boolean value) {
        return new DaemonOptions(
                autoExit, idleTime, wallTime, maxTasks, value, output, classpath, dialTimeout, classLoading);
    }

    /** @return a copy whose daemons keep (or discard) the tasks' stdout and stderr */
    public DaemonOptions output(boolean value) {
        return new DaemonOptions(
                autoExit, idleTime, wallTime, maxTasks, cleanup, value, classpath, dialTimeout, classLoading);
    }

    /** @return a copy whose daemons load tasks' classes from {@code value} (remote daemons) */
    public DaemonOptions classpath(String value) {
        return new DaemonOptions(
                autoExit, idleTime, wallTime, maxTasks, cleanup, output, value, dialTimeout, classLoading);
    }

    /**
     * @return a copy whose daemons keep dialing for {@code value} until first connected (default 30 s), then exit
     *     with code 69
     */
    public DaemonOptions dialTimeout(Duration value) {
        return new DaemonOptions(
                autoExit,
                idleTime,
                wallTime,
                maxTasks,
                cleanup,
                output,
                classpath,
                positive("dialTimeout", value),
                classLoading);
    }

    /**
     * @return a copy whose daemons do (the default) or do not ({@code --no-class-loading}) ask the host for classes
     *     they cannot load; see {@code Daemons.Builder.shipClasses(boolean)} for the host's side
     */
    public DaemonOptions classLoading(boolean value) {
        return new DaemonOptions(
                autoExit, idleTime, wallTime, maxTasks, cleanup, output, classpath, dialTimeout, value);
    }

    /** @return whether the daemons keep the tasks' output */
    public boolean output() {
        return output;
    }

    /** @return the options as daemon command-line arguments */
    public List<String> toArgs() {
        List<String> args = new ArrayList<>();
        args.add("--autoexit="
                + autoExit.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (idleTime != null) {
            args.add("--idletime=" + idleTime.toMillis() + "ms");
        }
        if (wallTime != null) {
            args.add("--walltime=" + wallTime.toMillis() + "ms");
        }
        if (maxTasks > 0) {
            args.add("--maxtasks=" + maxTasks);
        }
        if (!cleanup) {
            args.add("--no-cleanup");
        }
        if (output) {
            args.add("--output");
        }
        if (classpath != null) {
            args.add("--classpath=" + classpath);
        }
        if (dialTimeout != null) {
            args.add("--dial-timeout=" + dialTimeout.toMillis() + "ms");
        }
        if (!classLoading) {
            args.add("--no-class-loading");
        }
        return args;
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new IllegalArgumentException(name + " : " + d + " (expected: >= 1 ms)");
        }
        return d;
    }

    @Override
    public String toString() {
        return "DaemonOptions" + toArgs();
    }
}
