package io.jmirai.daemon;

import java.util.Iterator;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the daemon's {@link TaskTracer} with {@link ServiceLoader}, and calls it so that nothing it throws reaches the
 * task. Threading: {@link #load} once at start; the calls on the worker thread.
 */
final class TaskTracers {
    private static final Logger LOG = LoggerFactory.getLogger(TaskTracers.class);

    private TaskTracers() {}

    /**
     * @return the first tracer {@code loader} provides, or null if none (or it cannot be loaded: say an OpenTelemetry
     *     module without the OpenTelemetry API on the class path, which is logged)
     */
    static TaskTracer load(ClassLoader loader) {
        try {
            Iterator<TaskTracer> it =
                    ServiceLoader.load(TaskTracer.class, loader).iterator();
            if (!it.hasNext()) {
                return null;
            }
            TaskTracer tracer = it.next();
            LOG.info("tracing tasks: tracer={}", tracer.getClass().getName());
            return tracer;
        } catch (ServiceConfigurationError | LinkageError e) {
            LOG.warn("no task tracing: the tracer on the class path cannot be loaded: {}", e.toString());
            return null;
        }
    }

    /** @return the span {@code tracer} starts for the task, or null if it failed (logged) */
    static TaskTracer.Evaluation start(TaskTracer tracer, long taskId, String daemonId, String context) {
        try {
            return tracer.started(taskId, daemonId, context);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("task tracer failed to start a span: taskId={}, cause={}", taskId, e.toString());
            return null;
        }
    }

    /** Ends {@code span} (if any) with the outcome of {@code flags} ({@code FrameType.Flags} of the RESULT). */
    static void finish(TaskTracer.Evaluation span, long taskId, int flags) {
        if (span == null) {
            return;
        }
        try {
            span.finished(outcomeCode(flags));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("task tracer failed to end a span: taskId={}, cause={}", taskId, e.toString());
        }
    }

    /** @return the host's ErrorValue code for a RESULT's flags (the host decodes them in the same order), 0 for a value */
    static int outcomeCode(int flags) {
        if ((flags & io.jmirai.transport.protocol.FrameType.Flags.RESULT_INTERRUPTED) != 0) {
            return 101; // ErrorValue.INTERRUPTED (the daemon does not depend on the host's classes)
        }
        if ((flags & io.jmirai.transport.protocol.FrameType.Flags.RESULT_CANCELLED) != 0) {
            return 20; // ErrorValue.CANCELED
        }
        if ((flags & io.jmirai.transport.protocol.FrameType.Flags.RESULT_ERROR) != 0) {
            return 100; // ErrorValue.TASK_ERROR
        }
        return 0;
    }
}
