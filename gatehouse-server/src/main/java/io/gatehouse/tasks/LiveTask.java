package io.gatehouse.tasks;

import io.gatehouse.store.TaskRecord;
import java.util.concurrent.TimeUnit;

/** An unfinished task as {@link Tasks} keeps it between database writes. Guarded by itself. */
final class LiveTask {
    /** The latest state, progress included. */
    TaskRecord current;
    /** Progress not yet pushed and written. */
    boolean dirty;
    /** A flush is scheduled for this task. */
    boolean flushScheduled;

    long lastFlushNanos;
    long lastTouchedNanos;
    /** No longer in the cache: callers holding it must look again. */
    boolean gone;

    LiveTask(TaskRecord current, long now) {
        this.current = current;
        this.lastFlushNanos = now - TimeUnit.DAYS.toNanos(1); // the first progress goes out at once
        this.lastTouchedNanos = now;
    }
}
