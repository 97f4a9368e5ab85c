package io.gatehouse.accesslog;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's buffer and the single thread that empties it into the {@code access_log} table,
 * in batches of up to {@value #BATCH_SIZE}, one transaction each. The buffer holds at most
 * {@code access_log.buffer} entries, those in the batch being written included. When the database is
 * down the writer keeps what it holds and retries with backoff; an entry the database refuses
 * while it is up is dropped and counted, so it cannot hold up the rest. The writer also deletes rows
 * older than {@code access_log.retention}, when it starts and every hour. Its warnings go to the
 * {@link AccessLog}'s logger, the one operators know.
 */
final class AccessLogWriter {
    private static final Logger WARNINGS = LoggerFactory.getLogger(AccessLog.class);

    /** Entries per transaction. */
    static final int BATCH_SIZE = 500;

    /**
     * How long the writer waits, once an entry arrived, for more to write in the same transaction:
     * at a few hundred handshakes a second one transaction (and one commit of the embedded
     * database) per entry or two cost more than the inserts. Well inside the 2 s within which a
     * record must be readable through the API.
     */
    static final Duration LINGER = Duration.ofMillis(100);

    /** How long close() waits past the flush deadline for a writer stuck in a database call. */
    private static final Duration JOIN_GRACE = Duration.ofSeconds(1);

    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    private static final Duration PURGE_RETRY = Duration.ofMinutes(1);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Queued by close() to wake a writer waiting for entries; never written or counted. */
    private static final AccessLogEntry WAKE_UP =
            AccessLogEntry.attempt(Instant.EPOCH, null, null, null, null, null, "", null, null);

    private final AccessLogStore store;
    private final Duration retention;
    private final int capacity;
    private final GatehouseMetrics metrics;
    private final Clock clock;
    private final Duration flushTimeout;
    /** Entries offered and not yet taken by the writer. Bounded through {@link #room}, not by itself. */
    private final LinkedBlockingQueue<AccessLogEntry> queue = new LinkedBlockingQueue<>();
    /**
     * One permit per entry the buffer may still take. An entry holds its permit until it is
     * written, so entries in the writer's batch count against {@code access_log.buffer} too.
     */
    private final Semaphore room;
    /** Whether a full buffer was reported since the last successful write: one warning per episode. */
    private final AtomicBoolean dropping = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    /** System.nanoTime() by which close() wants the writer done; written before {@link #closed}. */
    private volatile long flushDeadlineNanos;

    private final Thread writer;

    /** The entries taken from the queue and not yet written. Only accessed by the writer thread. */
    private final List<AccessLogEntry> batch = new ArrayList<>(BATCH_SIZE);
    /** Failed writes since the last success. Only accessed by the writer thread. */
    private int failures;

    AccessLogWriter(
            AccessLogStore store,
            GatehouseConfig.AccessLog config,
            GatehouseMetrics metrics,
            Clock clock,
            Duration flushTimeout) {
        this.store = store;
        this.retention = config.retention();
        this.capacity = config.buffer();
        this.metrics = metrics;
        this.clock = clock;
        this.flushTimeout = flushTimeout;
        this.room = new Semaphore(config.buffer());
        this.writer = new Thread(this::writeLoop, "gatehouse-access-log");
        // A writer stuck on an unreachable database must not keep the JVM alive.
        this.writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /** Buffers {@code e}; false, with nothing buffered, when the buffer is full or closed. Never blocks. */
    boolean offer(AccessLogEntry e) {
        if (closed.get() || !room.tryAcquire()) {
            return false;
        }
        queue.offer(e);
        return true;
    }

    /** True for the first refused offer since the last successful write: warn once per episode. */
    boolean firstDropSinceWrite() {
        return dropping.compareAndSet(false, true);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Writes what is buffered, waiting at most the flush timeout for the database, then stops the writer. */
    void close() {
        if (closed.get()) {
            return;
        }
        flushDeadlineNanos = System.nanoTime() + flushTimeout.toNanos();
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.offer(WAKE_UP);
        LockSupport.unpark(writer); // from a backoff pause
        try {
            writer.join(flushTimeout.plus(JOIN_GRACE).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            WARNINGS.warn(
                    "The access-log writer is still waiting for the database after {} s; up to {} records may be lost",
                    flushTimeout.plus(JOIN_GRACE).toSeconds(),
                    held());
        }
    }

    /** Records buffered or being written. */
    int held() {
        return capacity - room.availablePermits();
    }

    // --- The writer thread

    private void writeLoop() {
        long nextPurgeNanos = System.nanoTime();
        long backoffNanos = 0;
        while (true) {
            boolean stopping = closed.get();
            if (batch.isEmpty() && !stopping) {
                if (!awaitRecord(nextPurgeNanos - System.nanoTime())) {
                    abandon("the writer thread was interrupted");
                    return;
                }
                lingerForMore();
            }
            fillBatch();
            if (!batch.isEmpty()) {
                if (writeBatch()) {
                    backoffNanos = 0;
                } else if (stopping && System.nanoTime() - flushDeadlineNanos >= 0) {
                    abandon("the database was unavailable at shutdown");
                    return;
                } else {
                    backoffNanos = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoffNanos * 2));
                    LockSupport.parkNanos(
                            this,
                            stopping ? Math.min(backoffNanos, flushDeadlineNanos - System.nanoTime()) : backoffNanos);
                    continue;
                }
            }
            if (stopping) {
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (System.nanoTime() - nextPurgeNanos >= 0) {
                nextPurgeNanos = System.nanoTime() + (purge() ? PURGE_INTERVAL : PURGE_RETRY).toNanos();
            }
        }
    }

    /** Waits up to {@code nanos} for a record and adds it to the batch; false if interrupted. */
    private boolean awaitRecord(long nanos) {
        try {
            AccessLogEntry r = queue.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            if (r != null && r != WAKE_UP) {
                batch.add(r);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lets entries gather for up to {@link #LINGER} unless a batch is waiting already or close() woke it. */
    private void lingerForMore() {
        long until = System.nanoTime() + LINGER.toNanos();
        long left;
        while (!closed.get() && queue.size() < BATCH_SIZE && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    private void fillBatch() {
        AccessLogEntry r;
        while (batch.size() < BATCH_SIZE && (r = queue.poll()) != null) {
            if (r != WAKE_UP) {
                batch.add(r);
            }
        }
    }

    /** Writes the batch in one transaction; false, with the batch kept, when the database is unavailable. */
    private boolean writeBatch() {
        try {
            store.write(batch);
        } catch (RuntimeException e) {
            if (!lostConnection(e) && store.isReachable()) {
                // The database is up but refused something in this batch: keep what it accepts.
                writeOneByOne();
                return true;
            }
            if (++failures == 1) {
                WARNINGS.warn(
                        "Could not write the access log; holding up to {} records (access_log.buffer) and retrying "
                                + "with backoff",
                        capacity,
                        e);
            }
            return false;
        }
        if (failures > 0) {
            WARNINGS.info("Access-log writes resumed after {} failed attempts", failures);
            failures = 0;
        }
        release();
        return true;
    }

    /**
     * Whether {@code failure} says the database could not be reached (no connection within the
     * pool's timeout, or SQLSTATE class 08), which needs no further check.
     */
    private static boolean lostConnection(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLException sql
                            && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private void writeOneByOne() {
        for (AccessLogEntry r : batch) {
            try {
                store.write(List.of(r));
            } catch (RuntimeException e) {
                metrics.accessLogDropped();
                WARNINGS.warn(
                        "The database refused an access-log entry (outcome {}, connection {}); it is dropped and "
                                + "counted in gatehouse_access_log_dropped_total",
                        r.outcome(),
                        r.connectionId(),
                        e);
            }
        }
        failures = 0;
        release();
    }

    private void release() {
        room.release(batch.size());
        batch.clear();
        dropping.set(false);
    }

    /** Counts what the writer still holds as dropped; the writer is about to stop. */
    private void abandon(String why) {
        fillBatch();
        int lost = batch.size();
        for (AccessLogEntry r; (r = queue.poll()) != null; ) {
            if (r != WAKE_UP) {
                lost++;
            }
        }
        for (int i = 0; i < lost; i++) {
            metrics.accessLogDropped();
        }
        if (lost > 0) {
            WARNINGS.warn(
                    "{} access-log records were not written because {}; they are counted in "
                            + "gatehouse_access_log_dropped_total",
                    lost,
                    why);
        }
        room.release(lost);
        batch.clear();
    }

    /** Deletes rows past the retention; false if the database did not answer. */
    private boolean purge() {
        try {
            int deleted = store.deleteOlderThan(clock.instant().minus(retention));
            if (deleted > 0) {
                WARNINGS.info("Deleted {} access-log entries older than {} (access_log.retention)", deleted, retention);
            }
            return true;
        } catch (RuntimeException e) {
            if (failures == 0) {
                WARNINGS.warn("Could not delete old access-log entries; retrying in {}", PURGE_RETRY, e);
            }
            return false;
        }
    }
}
