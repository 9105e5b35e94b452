package io.jmirai.api.internal;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * What the host sends instead of a bare task when the daemon must know more than the task itself: the seed and
 * submission index of the task's random stream, or that the task is an {@code everywhere} setup whose effects on the
 * daemon's context persist. Encoded by the host together with the task (Kryo) and decoded only by the daemon; the
 * dispatcher forwards the bytes untouched. A daemon also accepts a bare {@link Callable}. A {@link #resetting()} envelope
 * carries no user code: the daemon puts its state back to how it started. Immutable.
 */
public final class TaskEnvelope {
    private final Callable<?> task;
    private final boolean seeded;
    private final long seed;
    private final long index;
    private final boolean setup;
    private final boolean reset;

    private TaskEnvelope(Callable<?> task, boolean seeded, long seed, long index, boolean setup, boolean reset) {
        this.task = Objects.requireNonNull(task, "task");
        this.seeded = seeded;
        this.seed = seed;
        this.index = index;
        this.setup = setup;
        this.reset = reset;
    }

    /**
     * @param task the task
     * @param seed the daemons' seed
     * @param index the task's submission index among the seeded tasks (1, 2, …)
     * @return an envelope for a task with its own reproducible random stream
     */
    public static TaskEnvelope seeded(Callable<?> task, long seed, long index) {
        return new TaskEnvelope(task, true, seed, index, false, false);
    }

    /** @return an envelope for an {@code everywhere} setup: what it leaves in the daemon's context persists */
    public static TaskEnvelope setup(Callable<?> task) {
        return new TaskEnvelope(task, false, 0, 0, true, false);
    }

    /**
     * @return an envelope that resets the daemon (the host's {@code reset()}): the daemon drops what every setup and
     *     task left (its context, system properties, default locale and time zone, {@code user.dir} among them) and
     *     goes back to the state it started in; its value is the number of context entries dropped
     */
    public static TaskEnvelope resetting() {
        return new TaskEnvelope(new ResetTask(), false, 0, 0, false, true);
    }

    /** @return the task */
    public Callable<?> task() {
        return task;
    }

    /** @return whether the task has a reproducible random stream */
    public boolean seeded() {
        return seeded;
    }

    /** @return the seed (meaningful when {@link #seeded()}) */
    public long seed() {
        return seed;
    }

    /** @return the submission index (meaningful when {@link #seeded()}) */
    public long index() {
        return index;
    }

    /** @return whether the task is an {@code everywhere} setup */
    public boolean setup() {
        return setup;
    }

    /** @return whether this is a {@link #resetting()} envelope */
    public boolean reset() {
        return reset;
    }

    /** The task of a reset envelope: counts the context entries the daemon is about to drop. */
    static final class ResetTask implements Callable<Integer>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return TaskScope.values().size();
        }
    }
}
