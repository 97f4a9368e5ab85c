package io.gatehouse.tasks;

import io.gatehouse.store.StoreException;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStore;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress behind the progress calls: a cached task's latest progress is pushed to its owner at
 * most once per {@code tasks.push_interval} (what came in between is coalesced away; the latest
 * always goes out) and written to the database behind the push. Pushes run on {@code timers},
 * writes on {@code writes}, so a slow or unreachable database never holds a push back. One write
 * per task at a time, and never one taken before a status change of the task after it; a write the
 * database refused is tried again every {@link #RETRY} until it succeeds, a status change writes the
 * task, or the node stops (which writes what is still held back). A write the stored row does not
 * take (another node changed the task: asked to cancel it, finished it, or wrote further progress)
 * hands the task to {@code changedElsewhere}, which reads the row again.
 */
final class ProgressWriteBehind {
    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);
    /** How soon a refused write is tried again. */
    static final Duration RETRY = Duration.ofSeconds(1);
    /** How long stopping waits for the pushes and writes under way. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final TaskStore store;
    private final ScheduledExecutorService timers;
    private final ScheduledExecutorService writes;
    private final long intervalNanos;
    private final Consumer<TaskRecord> push;
    private final Consumer<LiveTask> changedElsewhere;

    /** What became of one write. */
    private enum Outcome {
        WRITTEN,
        /** The stored row did not take it: the task changed elsewhere. */
        NOT_CURRENT,
        /** The database did not answer. */
        FAILED
    }

    ProgressWriteBehind(
            TaskStore store,
            ScheduledExecutorService timers,
            ScheduledExecutorService writes,
            Duration interval,
            Consumer<TaskRecord> push,
            Consumer<LiveTask> changedElsewhere) {
        this.store = store;
        this.timers = timers;
        this.writes = writes;
        this.intervalNanos = interval.toNanos();
        this.push = push;
        this.changedElsewhere = changedElsewhere;
    }

    /** Under lt's lock: its progress changed; it goes out no sooner than push_interval after the last. */
    void changed(LiveTask lt) {
        lt.dirty = true;
        if (lt.flushScheduled) {
            return;
        }
        lt.flushScheduled = true;
        long delay = Math.max(0, lt.lastFlushNanos + intervalNanos - System.nanoTime());
        try {
            timers.schedule(() -> flush(lt), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            lt.flushScheduled = false; // stopping: close() writes what is held back
        }
    }

    /** Under lt's lock: a status change pushed and wrote lt's current state; nothing is held back. */
    static void statusWritten(LiveTask lt) {
        lt.dirty = false;
        lt.unwritten = null;
        lt.statusChanges++;
        lt.lastFlushNanos = System.nanoTime();
    }

    /** Whether lt has nothing to push or write (it may leave the cache). */
    static boolean idle(LiveTask lt) {
        return !lt.dirty && !lt.flushScheduled && !lt.retryScheduled && !lt.writing && lt.unwritten == null;
    }

    /** On a timer: pushes lt's latest progress, then has it written. */
    private void flush(LiveTask lt) {
        synchronized (lt) {
            lt.flushScheduled = false;
            if (lt.gone || !lt.dirty) {
                return;
            }
            lt.dirty = false;
            lt.lastFlushNanos = System.nanoTime();
            lt.unwritten = lt.current;
            push.accept(lt.current);
            startWrite(lt);
        }
    }

    /** Under lt's lock: hands the latest unwritten progress to a writer, unless one is under way. */
    private void startWrite(LiveTask lt) {
        if (lt.writing || lt.unwritten == null || lt.gone) {
            return;
        }
        TaskRecord toWrite = lt.unwritten;
        int statusChanges = lt.statusChanges;
        boolean failedBefore = lt.writeFailing;
        lt.unwritten = null;
        lt.writing = true;
        try {
            writes.execute(() -> write(lt, toWrite, statusChanges, failedBefore));
        } catch (RejectedExecutionException e) {
            lt.writing = false; // stopping: close() writes what is held back
            lt.unwritten = toWrite;
        }
    }

    /** On a writer: one write, then the next one or a retry. */
    private void write(LiveTask lt, TaskRecord toWrite, int statusChanges, boolean failedBefore) {
        Outcome outcome = save(toWrite, failedBefore);
        if (outcome == Outcome.NOT_CURRENT) {
            changedElsewhere.accept(lt); // on this writer, before the next write of the task
        }
        boolean written = outcome != Outcome.FAILED;
        synchronized (lt) {
            lt.writing = false;
            lt.writeFailing = !written;
            if (!written && lt.unwritten == null && lt.statusChanges == statusChanges) {
                lt.unwritten = toWrite; // a status change since wrote the task: nothing to restore
            }
            if (lt.unwritten == null || lt.gone) {
                return;
            }
            if (written) {
                startWrite(lt); // newer progress came in during the write
            } else if (!lt.retryScheduled) {
                lt.retryScheduled = true;
                try {
                    writes.schedule(() -> retry(lt), RETRY.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    lt.retryScheduled = false; // stopping: close() writes what is held back
                }
            }
        }
    }

    private void retry(LiveTask lt) {
        synchronized (lt) {
            lt.retryScheduled = false;
            startWrite(lt);
        }
    }

    private Outcome save(TaskRecord t, boolean failedBefore) {
        try {
            boolean taken = store.saveProgress(t);
            if (failedBefore) {
                LOG.info("Progress of task {} written again", t.id());
            }
            return taken ? Outcome.WRITTEN : Outcome.NOT_CURRENT;
        } catch (StoreException e) {
            if (!failedBefore) {
                LOG.warn(
                        "Progress of task {} not written; trying again every {} ms: {}",
                        t.id(),
                        RETRY.toMillis(),
                        e.getMessage());
            }
            return Outcome.FAILED;
        }
    }

    /**
     * Lets the pushes and writes under way end (a few seconds at most), then writes what is still
     * held back; at the first write the database refuses, the rest is given up (with the database
     * down, each would wait for a connection) and counted in a log line.
     */
    void close(Collection<LiveTask> cached) {
        timers.shutdown();
        writes.shutdown();
        try {
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            timers.awaitTermination(STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            writes.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        writes.shutdownNow();
        int lost = 0;
        StoreException failure = null;
        for (LiveTask lt : cached) {
            TaskRecord heldBack = lt.takeHeldBack();
            if (heldBack == null) {
                continue;
            }
            if (failure != null) {
                lost++;
                continue;
            }
            try {
                store.saveProgress(heldBack);
            } catch (StoreException e) {
                failure = e;
                lost++;
            }
        }
        if (failure != null) {
            LOG.warn("Progress of {} tasks lost at shutdown: {}", lost, failure.getMessage());
        }
    }
}
