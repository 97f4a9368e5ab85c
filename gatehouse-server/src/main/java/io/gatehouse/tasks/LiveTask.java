package io.gatehouse.tasks;

import io.gatehouse.store.TaskRecord;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** An unfinished task as {@link Tasks} keeps it between database writes. Guarded by itself. */
final class LiveTask {
    /** The latest state, progress included. */
    TaskRecord current;
    /** Progress not yet pushed (nor written). */
    boolean dirty;
    /** A flush is scheduled for this task. */
    boolean flushScheduled;
    /** A retry of a refused write is scheduled for this task. */
    boolean retryScheduled;
    /** Progress pushed but not yet written; null when there is none. */
    TaskRecord unwritten;
    /** A write of this task's progress is under way. */
    boolean writing;
    /** The last write of its progress was refused. */
    boolean writeFailing;
    /** How many status changes were written: a write of progress taken before one is not restored. */
    int statusChanges;

    long lastFlushNanos;
    long lastTouchedNanos;
    /** No longer in the cache: callers holding it must look again. */
    boolean gone;

    LiveTask(TaskRecord current, long now) {
        this.current = current;
        this.lastFlushNanos = now - TimeUnit.DAYS.toNanos(1); // the first progress goes out at once
        this.lastTouchedNanos = now;
    }

    /**
     * Made from a row read before this entry existed: takes {@code stored} (the row now), and is
     * gone when the task finished (or was deleted) since, so that a stale row is never served.
     *
     * @return whether it is gone
     */
    synchronized boolean settle(TaskRecord stored) {
        if (stored == null || stored.status().isFinished()) {
            gone = true;
        } else {
            current = stored;
        }
        return gone;
    }

    /**
     * Takes {@code row}, read again because it did not take this task's progress (another node
     * changed the task), unless a status change here wrote the row since it was read (there were
     * {@code statusChangesBefore} then). The row's status wins, and the further progress of the
     * two; a row that is gone or finished makes this entry gone.
     *
     * @return whether this entry changed: it is gone, or its current state is new
     */
    synchronized boolean takeNewer(TaskRecord row, int statusChangesBefore) {
        if (gone || statusChanges != statusChangesBefore) {
            return false;
        }
        if (row == null || row.status().isFinished()) {
            gone = true;
            return true;
        }
        if (row.status() == current.status() && row.done() <= current.done()) {
            return false;
        }
        Instant at = row.updatedAt().isAfter(current.updatedAt()) ? row.updatedAt() : current.updatedAt();
        current = row.done() >= current.done()
                ? row
                : row.withProgress(current.done(), current.total(), current.message(), at);
        return true;
    }

    /** The progress held back, to be written at shutdown; null when there is none. */
    synchronized TaskRecord takeHeldBack() {
        if (gone || (!dirty && unwritten == null)) {
            return null;
        }
        dirty = false;
        unwritten = null;
        return current;
    }

    /** The latest state; {@code stored} once it left the cache. */
    synchronized TaskRecord latestOr(TaskRecord stored) {
        return gone ? stored : current;
    }
}
