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
 * Progress behind the progress calls: a cached task's latest progress is pushed to its owner and
 * written to the database at most once per {@code tasks.push_interval} (what came in between is
 * coalesced away; the latest always goes out). One write per task at a time, never an older one
 * after a newer; a write the database refused is tried again every {@link #RETRY} until it succeeds,
 * a status change writes the task, or the node stops (which writes what is still held back).
 */
final class ProgressWriteBehind {
    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);
    /** How soon a refused write is tried again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final TaskStore store;
    private final ScheduledExecutorService timers;
    private final long intervalNanos;
    private final Consumer<TaskRecord> push;

    ProgressWriteBehind(
            TaskStore store, ScheduledExecutorService timers, Duration interval, Consumer<TaskRecord> push) {
        this.store = store;
        this.timers = timers;
        this.intervalNanos = interval.toNanos();
        this.push = push;
    }

    /** Under lt's lock: its progress changed; it goes out no sooner than push_interval after the last. */
    void changed(LiveTask lt) {
        lt.dirty = true;
        schedule(lt, Math.max(0, lt.lastFlushNanos + intervalNanos - System.nanoTime()));
    }

    /** Under lt's lock: a status change pushed and wrote lt's current state; nothing is held back. */
    static void statusWritten(LiveTask lt) {
        lt.dirty = false;
        lt.unwritten = null;
        lt.lastFlushNanos = System.nanoTime();
    }

    /** Whether lt has nothing to push or write (it may leave the cache). */
    static boolean idle(LiveTask lt) {
        return !lt.dirty && !lt.flushScheduled && !lt.retryScheduled && !lt.writing && lt.unwritten == null;
    }

    private void schedule(LiveTask lt, long delayNanos) {
        if (lt.flushScheduled) {
            return;
        }
        lt.flushScheduled = true;
        try {
            timers.schedule(() -> flush(lt, true), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            lt.flushScheduled = false; // stopping: close() writes what is held back
        }
    }

    /** Under lt's lock: its write was refused; tried again after RETRY (or sooner, by the next flush). */
    private void scheduleRetry(LiveTask lt) {
        if (lt.retryScheduled) {
            return;
        }
        lt.retryScheduled = true;
        try {
            timers.schedule(() -> flush(lt, false), RETRY.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            lt.retryScheduled = false; // stopping: close() writes what is held back
        }
    }

    /**
     * Pushes lt's latest progress if it changed, then writes the latest not yet written. A refused
     * write delays no push: pushes keep their push_interval while the retries wait for theirs.
     */
    private void flush(LiveTask lt, boolean scheduled) {
        TaskRecord toWrite;
        boolean failedBefore;
        synchronized (lt) {
            if (scheduled) {
                lt.flushScheduled = false;
            } else {
                lt.retryScheduled = false;
            }
            if (lt.gone) {
                return;
            }
            if (lt.dirty) {
                lt.dirty = false;
                lt.lastFlushNanos = System.nanoTime();
                lt.unwritten = lt.current;
                push.accept(lt.current);
            }
            if (lt.writing || lt.unwritten == null) {
                return; // the write under way schedules the next when it ends
            }
            toWrite = lt.unwritten;
            lt.unwritten = null;
            lt.writing = true;
            failedBefore = lt.writeFailing;
        }
        boolean written = write(toWrite, failedBefore);
        synchronized (lt) {
            lt.writing = false;
            lt.writeFailing = !written;
            if (!written && lt.unwritten == null) {
                lt.unwritten = toWrite;
            }
            if (lt.unwritten != null && !lt.gone) {
                if (written) {
                    schedule(lt, 0); // newer progress came in during the write
                } else {
                    scheduleRetry(lt);
                }
            }
        }
    }

    private boolean write(TaskRecord t, boolean failedBefore) {
        try {
            store.saveProgress(t);
            if (failedBefore) {
                LOG.info("Progress of task {} written again", t.id());
            }
            return true;
        } catch (StoreException e) {
            if (!failedBefore) {
                LOG.warn(
                        "Progress of task {} not written; trying again every {} ms: {}",
                        t.id(),
                        RETRY.toMillis(),
                        e.getMessage());
            }
            return false;
        }
    }

    /** Lets the flushes under way end (at most a few seconds), then writes what is still held back. */
    void close(Collection<LiveTask> cached) {
        timers.shutdown();
        try {
            timers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        for (LiveTask lt : cached) {
            TaskRecord heldBack = lt.takeHeldBack();
            if (heldBack == null) {
                continue;
            }
            try {
                store.saveProgress(heldBack);
            } catch (StoreException e) {
                LOG.warn("Progress of task {} lost at shutdown: {}", heldBack.id(), e.getMessage());
            }
        }
    }
}
