package io.jmirai;

import io.jmirai.dispatcher.DispatchEvents;
import io.jmirai.dispatcher.Outcome;
import io.jmirai.transport.protocol.FrameType;

/**
 * Turns the dispatcher's {@link DispatchEvents} into a {@link TaskObserver}'s calls (outcomes as codes), and passes
 * every event on to another {@link DispatchEvents} too (the builder's, if any). Threading: as {@link DispatchEvents},
 * on the dispatcher's thread.
 */
final class ObservedEvents implements DispatchEvents {
    private final TaskObserver observer;
    private final DispatchEvents next;

    private ObservedEvents(TaskObserver observer, DispatchEvents next) {
        this.observer = observer;
        this.next = next;
    }

    /** @return the events to give the dispatcher: {@code events} alone when there is no observer */
    static DispatchEvents of(TaskObserver observer, DispatchEvents events) {
        return observer == null ? events : new ObservedEvents(observer, events);
    }

    /** @return the {@link TaskObserver#taskResolved} code of {@code o}: 0 for a value, else its ErrorValue code */
    static int code(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return f.code();
        }
        if (o instanceof Outcome.Lost) {
            return ErrorValue.CONNECTION_RESET;
        }
        if (o instanceof Outcome.RetriesExhausted) {
            return ErrorValue.RETRIES_EXHAUSTED;
        }
        int flags = ((Outcome.Result) o).flags(); // the same order as Mirai's decoding
        if ((flags & FrameType.Flags.RESULT_INTERRUPTED) != 0) {
            return ErrorValue.INTERRUPTED;
        }
        if ((flags & FrameType.Flags.RESULT_CANCELLED) != 0) {
            return ErrorValue.CANCELED;
        }
        if ((flags & FrameType.Flags.RESULT_ERROR) != 0) {
            return ErrorValue.TASK_ERROR;
        }
        return 0;
    }

    @Override
    public void taskSubmitted(long taskId) {
        next.taskSubmitted(taskId); // the observer heard of it on the submitting thread
    }

    @Override
    public void taskDispatched(long taskId, String daemonId) {
        observer.taskDispatched(taskId, daemonId);
        next.taskDispatched(taskId, daemonId);
    }

    @Override
    public void taskResolved(long taskId, Outcome outcome) {
        observer.taskResolved(taskId, code(outcome));
        next.taskResolved(taskId, outcome);
    }

    @Override
    public void daemonConnected(String daemonId, long pid) {
        next.daemonConnected(daemonId, pid);
    }

    @Override
    public void daemonLost(String daemonId, long pid) {
        next.daemonLost(daemonId, pid);
    }
}
