package io.jmirai.dispatcher;

import io.jmirai.ErrorValue;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a task between {@code submit} and its resolution: it is queued (its deadline watched by {@link
 * Deadlines}),
 * assigned to a daemon, answered, stopped, timed out, retried after a lost daemon, or resolved by close. Every
 * resolution goes through {@link #resolve}, which keeps {@link Counters} and the {@link DispatchEvents} in step; which
 * daemon takes which queued task is left to the {@link SchedulingPolicy}.
 *
 * <pre>
 *   NEW --submit--&gt; QUEUED --assign--&gt; RUNNING --RESULT--&gt; done
 *                     |  ^                 |
 *          timeout,   |  +--lost, retries--+--timeout, stop: CANCEL sent; no answer within the grace: recycle
 *          stop, close v                   v
 *                     done     lost, no retries left, close: done
 * </pre>
 *
 * RUNNING means sent to a daemon: with a prefetch window ({@link PrefetchScheduling}) a daemon holds several, runs
 * the oldest and keeps the others waiting in order; all of them count as executing in {@link Counters}. A task
 * resolved early stays in its connection's in-flight map until its late RESULT arrives, so that it still takes its
 * place in the daemon's window. When a daemon is lost, only its oldest unanswered task can have started: with a
 * policy that {@link SchedulingPolicy#returnsUnstarted returns unstarted tasks}, the others go back to the queue
 * without counting as a retry (all of them when the daemon said it exits by a limit, after its last RESULT).
 * A policy may also recall a task sent to a daemon and not started there (RECALL, {@link PrefetchScheduling}): the
 * daemon answers {@code RESULT_RECALLED} and the task is queued again at the front, as above, or, if it had started,
 * answers as usual. Frames are written without a flush; {@link WriteBatch} flushes each connection once per pass of
 * the loop.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class TaskLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TaskLifecycle.class);

    static final Outcome CLOSED = new Outcome.Failure(ErrorValue.CONNECTION_RESET, "connection reset: daemons closed");
    static final Outcome CANCELLED = new Outcome.Failure(ErrorValue.CANCELED, "canceled: stopped");

    private final EventExecutor loop;
    private final Duration interruptGrace;
    private final BiConsumer<DaemonConnection, String> recycler;
    private final DispatchEvents events;
    private final Counters counters = new Counters();
    private final SchedulingPolicy policy;
    private final Deadlines deadlines;
    private final WriteBatch writes;
    private final List<ByteBuf> setups = new ArrayList<>(); // everywhere payloads, replayed to later daemons
    private long nextInternalId;
    private long nextSeq;
    private boolean shutdown;

    /**
     * @param loop the dispatcher's event loop, for timers
     * @param direct which {@link SchedulingPolicy} to use
     * @param prefetch the window of tasks in flight per daemon (not direct)
     * @param interruptGrace how long a daemon has to answer a CANCEL before it is recycled
     * @param recycler closes a daemon that ignored its interrupt (called with the connection and a reason)
     * @param events the observer, or {@link DispatchEvents#NOOP}
     */
    TaskLifecycle(
            EventExecutor loop,
            boolean direct,
            int prefetch,
            Duration interruptGrace,
            BiConsumer<DaemonConnection, String> recycler,
            DispatchEvents events) {
        this.loop = loop;
        this.interruptGrace = interruptGrace;
        this.recycler = recycler;
        this.events = events;
        this.policy = SchedulingPolicy.of(direct, prefetch, new SchedulingPolicy.Assigner() {
            @Override
            public void assign(DaemonConnection conn, TaskRecord task) {
                TaskLifecycle.this.assign(conn, task);
            }

            @Override
            public void recall(DaemonConnection conn, TaskRecord task) {
                TaskLifecycle.this.recall(conn, task);
            }
        });
        this.deadlines = new Deadlines(loop, this::expire);
        this.writes = new WriteBatch(loop);
    }

    Counters counters() {
        return counters;
    }

    SchedulingPolicy policy() {
        return policy;
    }

    Deadlines deadlines() {
        return deadlines;
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** A task arrives: queued, its timer armed, and handed to the policy. */
    void submit(TaskRecord task) {
        if (shutdown) {
            task.complete(CLOSED);
            return;
        }
        task.state = TaskRecord.State.QUEUED;
        task.seq = ++nextSeq;
        counters.queued(task);
        if (events != DispatchEvents.NOOP) {
            events.taskSubmitted(task.id());
        }
        if (task.timeout() != null) {
            if (task.deadlineNanos() - System.nanoTime() <= 0) {
                expire(task); // resolved while still queued: the policy drops it when it reaches the head
            } else {
                deadlines.add(task);
            }
        }
        policy.submitted(task);
    }

    /** The task's deadline passed. */
    void expire(TaskRecord task) {
        abort(task, new Outcome.Failure(ErrorValue.TIMED_OUT, "timed out: timeout=" + task.timeout()));
    }

    /** Stops the tasks that are still unresolved; @return how many were */
    int cancel(List<TaskRecord> tasks) {
        int n = 0;
        for (TaskRecord t : tasks) {
            if (t.state != TaskRecord.State.NEW && abort(t, CANCELLED)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Resolves a task before its RESULT: a queued task is dropped (it stays in its queue until it reaches the head),
     * a running one is sent CANCEL and its daemon stays busy until it answers or the grace runs out.
     *
     * @return whether the task was still unresolved
     */
    boolean abort(TaskRecord task, Outcome outcome) {
        if (task.isDone()) {
            return false;
        }
        if (task.state == TaskRecord.State.RUNNING) {
            DaemonConnection conn = task.connection;
            resolve(task, true, outcome);
            conn.cancel(task.id());
            loop.schedule(() -> graceOver(conn, task), interruptGrace.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            resolve(task, false, outcome);
        }
        return true;
    }

    /** The interrupt grace of a stopped task ran out: recycle its daemon if it has still not answered. */
    void graceOver(DaemonConnection conn, TaskRecord task) {
        // a server is never recycled: it answers a CANCEL when its own daemon does, or its own grace runs out
        if (conn.upstream == null
                && conn.inflight.get(task.id()) == task
                && conn.channel().isActive()) {
            recycler.accept(
                    conn,
                    "task ignored its interrupt for " + interruptGrace + ": task=" + task.id() + ", pid=" + conn.pid);
        }
    }

    /** The policy's {@link SchedulingPolicy.Assigner}: the task goes to {@code conn}. */
    private void assign(DaemonConnection conn, TaskRecord task) {
        task.state = TaskRecord.State.RUNNING;
        task.connection = conn;
        conn.inflight.put(task.id(), task);
        task.sentBytes = task.payload().readableBytes();
        conn.inflightBytes += task.sentBytes;
        counters.assigned(task);
        conn.row.assigned++;
        if (events != DispatchEvents.NOOP && !task.internal) {
            events.taskDispatched(task.id(), conn.row.id);
        }
        conn.send(task);
        writes.written(conn);
    }

    /** The policy's {@link SchedulingPolicy.Assigner#recall}: ask {@code conn} to give {@code task} back. */
    private void recall(DaemonConnection conn, TaskRecord task) {
        task.recalling = true;
        conn.recall(task.id());
        writes.written(conn);
    }

    /**
     * A RESULT (or, from a server, a FAILURE) arrived from {@code conn}. A RESULT flagged {@code RESULT_RECALLED} answers a RECALL: the task never ran
     * there and goes back to the front of the queue, neither resolved nor counted as a retry (unless it was resolved
     * meanwhile, by a stop or its timeout, when it is just forgotten).
     */
    void result(DaemonConnection conn, long taskId, Outcome result) {
        TaskRecord task = conn.inflight.get(taskId);
        if (task == null) {
            throw new ProtocolException("result for a task not assigned to this daemon: task=" + taskId + ", assigned="
                    + (conn.inflight.isEmpty() ? "none" : conn.inflight.keySet()));
        }
        boolean recalled = result instanceof Outcome.Result r && (r.flags() & FrameType.Flags.RESULT_RECALLED) != 0;
        if (recalled && !task.recalling) {
            throw new ProtocolException("result flagged recalled for a task that was not recalled: task=" + taskId);
        }
        conn.inflight.remove(taskId);
        conn.inflightBytes -= task.sentBytes;
        if (task.recalling) {
            task.recalling = false; // answered either way: the recall is settled
            policy.recallSettled();
        }
        if (recalled) {
            if (!task.isDone()) {
                giveBack(task, conn);
            } else {
                conn.row.assigned--; // resolved meanwhile (a stop, its timeout): never ran there either
            }
            policy.recalled(conn);
            return;
        }
        conn.row.complete++;
        if (!task.isDone()) {
            resolve(task, true, result);
        } // else: the late answer of a task resolved by its timeout or a stop, discarded
        policy.completed(conn);
    }

    /** Keeps {@code payload} to replay it to daemons that connect later; ownership passes here. */
    void addSetup(ByteBuf payload) {
        setups.add(payload);
    }

    /** Forgets every setup (a reset): daemons that connect later get none of them. */
    void clearSetups() {
        for (ByteBuf setup : setups) {
            setup.release();
        }
        setups.clear();
    }

    /** Queues {@code r} for {@code conn} only, ahead of the shared queue. */
    void pin(DaemonConnection conn, TaskRecord r) {
        r.pinned = true;
        r.state = TaskRecord.State.QUEUED;
        counters.queued(r);
        if (events != DispatchEvents.NOOP && !r.internal) {
            events.taskSubmitted(r.id());
        }
        policy.pinned(conn, r);
    }

    /** A daemon authenticated: it gets every setup so far, then work from the policy. */
    void connected(DaemonConnection conn) {
        for (ByteBuf setup : setups) {
            TaskRecord replay = new TaskRecord(--nextInternalId, setup.retainedDuplicate(), o -> {});
            replay.internal = true;
            pin(conn, replay);
        }
        policy.connected(conn);
    }

    /**
     * A daemon was lost: its tasks are queued again (at the front, in their order) or resolved. Only the oldest
     * unanswered one can have started there (none if the daemon said it exits by a limit); with a policy that returns
     * unstarted tasks, the others are queued again as if never sent.
     */
    void disconnected(DaemonConnection conn) {
        policy.lost(conn);
        List<TaskRecord> lost = new ArrayList<>(conn.inflight.values());
        conn.inflight.clear();
        conn.inflightBytes = 0;
        // Every task in flight at a server may have started there (it runs many at once): none goes back unstarted.
        boolean returns = policy.returnsUnstarted() && conn.upstream == null;
        for (int i = lost.size() - 1; i >= 0; i--) {
            TaskRecord task = lost.get(i);
            if (task.recalling) {
                task.recalling = false; // never answered: the recall is moot
                policy.recallSettled();
            }
            if (task.isDone()) {
                continue;
            }
            if (returns && !task.pinned && (i > 0 || conn.finishing)) {
                giveBack(task, conn);
            } else {
                lose(task, conn);
            }
        }
        TaskRecord t;
        while ((t = conn.pinned.poll()) != null) {
            if (!t.isDone()) {
                resolve(
                        t,
                        false,
                        new Outcome.Failure(
                                ErrorValue.CONNECTION_RESET,
                                "connection reset: daemon lost before the setup ran: pid=" + conn.pid));
            }
        }
        policy.dispatch();
    }

    /** {@code task} was sent to {@code conn} but never started there: queued again, not counted as a retry. */
    private void giveBack(TaskRecord task, DaemonConnection conn) {
        counters.requeued(task);
        conn.row.assigned--;
        task.state = TaskRecord.State.QUEUED;
        task.connection = null;
        task.regate();
        policy.requeued(task);
    }

    private void lose(TaskRecord task, DaemonConnection conn) {
        task.losses++;
        if (!shutdown && !task.pinned && task.losses <= task.retries()) {
            LOG.info(
                    "retrying task: task={}, daemon={} lost (pid={}), retry {} of {}",
                    task.id(),
                    conn.row == null ? "?" : conn.row.id,
                    conn.pid,
                    task.losses,
                    task.retries());
            counters.requeued(task);
            task.state = TaskRecord.State.QUEUED;
            task.connection = null;
            task.regate();
            policy.requeued(task);
            return;
        }
        if (task.retries() > 0 && !task.pinned && !shutdown) {
            LOG.warn("retries exhausted: task={}, daemon lost {} times, last pid={}", task.id(), task.losses, conn.pid);
            resolve(
                    task,
                    true,
                    new Outcome.RetriesExhausted(
                            task.losses,
                            "daemon lost " + task.losses + " times: retries=" + task.retries() + " exhausted, last pid="
                                    + conn.pid));
        } else if (conn.upstream != null) {
            resolve(
                    task,
                    true,
                    new Outcome.Failure(
                            ErrorValue.CONNECTION_RESET,
                            "connection reset: connection to the server lost while the task was there"));
        } else {
            resolve(task, true, new Outcome.Lost(conn.pid, "connection reset: daemon lost: pid=" + conn.pid));
        }
    }

    /**
     * Closing: resolves every queued, pinned and running task to {@link #CLOSED} and drops the setups. Later
     * submissions resolve to {@link #CLOSED} at once.
     */
    void close(List<DaemonConnection> online) {
        shutdown = true;
        deadlines.clear();
        policy.drain(t -> {
            if (!t.isDone()) {
                resolve(t, false, CLOSED);
            }
        });
        for (DaemonConnection conn : online) {
            for (TaskRecord running : conn.inflight.values()) {
                if (!running.isDone()) {
                    resolve(running, true, CLOSED);
                }
            }
            TaskRecord t;
            while ((t = conn.pinned.poll()) != null) {
                if (!t.isDone()) {
                    resolve(t, false, CLOSED);
                }
            }
        }
        for (ByteBuf setup : setups) {
            setup.release();
        }
        setups.clear();
    }

    /** The one place a task resolves inside the dispatcher: counters, then the task's future, then the observer. */
    private void resolve(TaskRecord task, boolean running, Outcome outcome) {
        counters.resolved(task, running);
        task.complete(outcome);
        deadlines.resolved(task);
        if (events != DispatchEvents.NOOP && !task.internal) {
            events.taskResolved(task.id(), outcome);
        }
    }
}
