package io.jmirai.dispatcher;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The tasks' timeouts, without a timer per task: one FIFO deque per distinct timeout (tasks with the same timeout
 * arrive in deadline order, so each deque is sorted by construction, O(1) to add and to take), a small heap for the
 * rare task that arrives after one with a later deadline (submitted concurrently from another thread), and one
 * scheduled wake-up, for the earliest deadline. A task that resolves otherwise stays in its deque until it reaches the
 * head; when such dead entries are more than half of all, they are swept out, so they cost O(1) each, amortized.
 *
 * <p>Time: a task's deadline is a {@link System#nanoTime()} value taken on the submitting thread; it is turned into
 * the loop's own clock ({@link EventExecutor#ticker()}) when the task is added, so the wake-up and the due check use
 * the scheduler's time (in tests, a clock the test advances).
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class Deadlines {
    private static final int SWEEP_MIN = 1024;

    private final EventExecutor loop;
    private final Consumer<TaskRecord> expire;
    private final Ticker ticker;
    private final Runnable fire = this::fire;
    private final HashMap<Long, ArrayDeque<TaskRecord>> byTimeout = new HashMap<>();
    private final PriorityQueue<TaskRecord> stragglers = new PriorityQueue<>(Comparator.comparingLong(t -> t.due));
    private ScheduledFuture<?> wakeup;
    private long wakeAt;
    private int size; // entries held
    private int dead; // entries held whose task resolved otherwise

    /**
     * @param loop the dispatcher's event loop, for the wake-up
     * @param expire called for each unresolved task whose deadline passed (already removed from here)
     */
    Deadlines(EventExecutor loop, Consumer<TaskRecord> expire) {
        this.loop = loop;
        this.ticker = loop.ticker();
        this.expire = expire;
    }

    /** Watches {@code task}'s deadline (in the future). */
    void add(TaskRecord task) {
        long deadline = ticker.nanoTime() + (task.deadlineNanos() - System.nanoTime());
        task.due = deadline;
        ArrayDeque<TaskRecord> q = byTimeout.computeIfAbsent(task.timeout().toNanos(), k -> new ArrayDeque<>());
        TaskRecord last = q.peekLast();
        if (last == null || deadline - last.due >= 0) {
            q.add(task);
        } else {
            stragglers.add(task);
        }
        task.watched = true;
        size++;
        if (wakeup == null || deadline - wakeAt < 0) {
            arm(deadline);
        }
    }

    /** A watched task resolved otherwise: its entry is dead. */
    void resolved(TaskRecord task) {
        if (!task.watched) {
            return;
        }
        dead++;
        if (dead >= SWEEP_MIN && dead * 2 > size) {
            sweep();
        }
    }

    /** @return how many entries are held (live and dead), for tests */
    int size() {
        return size;
    }

    /** Forgets every task and the wake-up (closing). */
    void clear() {
        if (wakeup != null) {
            wakeup.cancel(false);
            wakeup = null;
        }
        byTimeout.clear();
        stragglers.clear();
        size = 0;
        dead = 0;
    }

    private void arm(long deadline) {
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        wakeAt = deadline;
        wakeup = loop.schedule(fire, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        wakeup = null;
        long now = ticker.nanoTime();
        boolean any = false;
        long earliest = 0;
        for (Iterator<ArrayDeque<TaskRecord>> it = byTimeout.values().iterator(); it.hasNext(); ) {
            ArrayDeque<TaskRecord> q = it.next();
            TaskRecord head = expireDue(q, now);
            if (head == null) {
                it.remove();
            } else if (!any || head.due - earliest < 0) {
                any = true;
                earliest = head.due;
            }
        }
        TaskRecord head = expireDue(stragglers, now);
        if (head != null && (!any || head.due - earliest < 0)) {
            any = true;
            earliest = head.due;
        }
        if (any && wakeup == null) {
            arm(earliest);
        }
    }

    /** Takes the due and the dead entries off the head of {@code q}; @return its new head (live, not due), or null */
    private TaskRecord expireDue(java.util.Queue<TaskRecord> q, long now) {
        TaskRecord t;
        while ((t = q.peek()) != null && (t.isDone() || t.due - now <= 0)) {
            q.poll();
            take(t);
            if (!t.isDone()) {
                expire.accept(t);
            }
        }
        return t;
    }

    private void take(TaskRecord t) {
        t.watched = false;
        size--;
        if (t.isDone()) {
            dead--;
        }
    }

    private void sweep() {
        for (Iterator<ArrayDeque<TaskRecord>> it = byTimeout.values().iterator(); it.hasNext(); ) {
            ArrayDeque<TaskRecord> q = it.next();
            q.removeIf(this::takeIfDone);
            if (q.isEmpty()) {
                it.remove();
            }
        }
        stragglers.removeIf(this::takeIfDone);
    }

    private boolean takeIfDone(TaskRecord t) {
        if (t.isDone()) {
            take(t);
            return true;
        }
        return false;
    }
}
