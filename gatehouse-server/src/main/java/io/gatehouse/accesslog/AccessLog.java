package io.gatehouse.accesslog;

import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.Database;
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
 * Records every upgrade attempt, accepted or refused, and every close of an accepted connection
 * (SPEC §8): one line to the {@code gatehouse.access} logger and one row in the
 * {@code access_log} table. It never sees a whole secret, only fingerprints.
 *
 * <p>Never blocks its caller, which is usually an event loop: {@link #record} only offers the
 * record to a buffer of {@code access_log.buffer} records, and a single writer thread moves the
 * buffer into the database in batches of up to {@value #BATCH_SIZE}, one transaction each. When
 * the buffer is full the record is dropped and counted in
 * {@code gatehouse_access_log_dropped_total}. When the database is down the writer keeps what it
 * holds (the buffer is the limit) and retries with backoff; an entry the database refuses while
 * it is up is dropped and counted, so it cannot hold up the rest. The writer also deletes rows
 * older than {@code access_log.retention}, when it starts and every hour.
 *
 * <p>{@link #close} writes what is buffered, waiting at most {@value #FLUSH_SECONDS} s for the
 * database, then stops the writer; records that arrive afterwards are dropped and counted.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("gatehouse.access");
    private static final Logger WRITER_LOG = LoggerFactory.getLogger(AccessLog.class);

    /** Records per transaction. */
    static final int BATCH_SIZE = 500;

    static final int FLUSH_SECONDS = 5;
    /** How long close() waits past the flush deadline for a writer stuck in a database call. */
    private static final Duration JOIN_GRACE = Duration.ofSeconds(1);

    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    private static final Duration PURGE_RETRY = Duration.ofMinutes(1);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Queued by close() to wake a writer waiting for records; never written or counted. */
    private static final AccessRecord WAKE_UP =
            AccessRecord.attempt(Instant.EPOCH, null, null, null, null, null, "", null, null);

    private final AccessLogStore store;
    private final Duration retention;
    private final int capacity;
    private final GatehouseMetrics metrics;
    private final Clock clock;
    private final Duration flushTimeout;
    /** Records offered and not yet taken by the writer. Bounded through {@link #room}, not by itself. */
    private final LinkedBlockingQueue<AccessRecord> queue = new LinkedBlockingQueue<>();
    /**
     * One permit per record the buffer may still take. A record holds its permit until it is
     * written, so records in the writer's batch count against {@code access_log.buffer} too.
     */
    private final Semaphore room;
    /** Whether a full buffer was reported since the last successful write: one warning per episode. */
    private final AtomicBoolean dropping = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    /** System.nanoTime() by which close() wants the writer done; written before {@link #closed}. */
    private volatile long flushDeadlineNanos;

    private final Thread writer;

    /** The records taken from the queue and not yet written. Only accessed by the writer thread. */
    private final List<AccessRecord> batch = new ArrayList<>(BATCH_SIZE);
    /** Failed writes since the last success. Only accessed by the writer thread. */
    private int failures;

    private AccessLog(
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

    /** Starts the writer thread. {@code database} is only used from that thread. */
    public static AccessLog start(
            Database database, GatehouseConfig.AccessLog config, GatehouseMetrics metrics, Clock clock) {
        return start(new AccessLogStore(database), config, metrics, clock, Duration.ofSeconds(FLUSH_SECONDS));
    }

    static AccessLog start(
            AccessLogStore store,
            GatehouseConfig.AccessLog config,
            GatehouseMetrics metrics,
            Clock clock,
            Duration flushTimeout) {
        AccessLog log = new AccessLog(store, config, metrics, clock, flushTimeout);
        log.writer.start();
        return log;
    }

    /**
     * Records an upgrade attempt. {@code credential} (may be null) is reduced to its carrier and
     * fingerprint here, so callers never hand a token to the log.
     */
    public void attempt(
            Instant time,
            String clientIp,
            String origin,
            String userAgent,
            String userId,
            String outcome,
            Credential credential,
            String connectionId) {
        record(AccessRecord.attempt(
                time,
                clientIp,
                origin,
                userAgent,
                userId,
                credential == null ? null : credential.carrier().wireName(),
                outcome,
                credential == null ? null : Fingerprint.of(credential.token()),
                connectionId));
    }

    /** Logs the record and buffers it for the database. Never blocks. */
    public void record(AccessRecord r) {
        if (r.closeCode() == 0) {
            metrics.attempt(r.outcome());
            LOG.info(
                    "attempt outcome={} ip={} origin={} method={} user={} fingerprint={} connection={} agent=\"{}\"",
                    r.outcome(),
                    r.clientIp(),
                    r.origin(),
                    r.method(),
                    r.userId(),
                    r.tokenFingerprint(),
                    r.connectionId(),
                    r.userAgent());
        } else {
            LOG.info(
                    "close connection={} user={} ip={} close_code={} duration_ms={}",
                    r.connectionId(),
                    r.userId(),
                    r.clientIp(),
                    r.closeCode(),
                    r.durationMillis());
        }
        if (closed.get() || !room.tryAcquire()) {
            metrics.accessLogDropped();
            if (dropping.compareAndSet(false, true)) {
                WRITER_LOG.warn(
                        closed.get()
                                ? "An access-log record arrived after the access log was closed; it is dropped and counted in "
                                        + "gatehouse_access_log_dropped_total"
                                : "The access-log buffer is full ({} records, access_log.buffer) because the database is slow or "
                                        + "down; records are dropped and counted in gatehouse_access_log_dropped_total",
                        capacity);
            }
            return;
        }
        queue.offer(r);
    }

    /**
     * Writes what is buffered, waiting at most the flush timeout for the database, then stops the
     * writer. Call once the records of interest are recorded (after the server has stopped).
     */
    @Override
    public void close() {
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
            WRITER_LOG.warn(
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
            AccessRecord r = queue.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            if (r != null && r != WAKE_UP) {
                batch.add(r);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void fillBatch() {
        AccessRecord r;
        while (batch.size() < BATCH_SIZE && (r = queue.poll()) != null) {
            if (r != WAKE_UP) {
                batch.add(r);
            }
        }
    }

    /** Writes the batch in one transaction; false, with the batch kept, when the database is unavailable. */
    private boolean writeBatch() {
        try {
            store.write(batch.stream().map(AccessLog::entry).toList());
        } catch (RuntimeException e) {
            if (!lostConnection(e) && store.isReachable()) {
                // The database is up but refused something in this batch: keep what it accepts.
                writeOneByOne();
                return true;
            }
            if (++failures == 1) {
                WRITER_LOG.warn(
                        "Could not write the access log; holding up to {} records (access_log.buffer) and retrying "
                                + "with backoff",
                        capacity,
                        e);
            }
            return false;
        }
        if (failures > 0) {
            WRITER_LOG.info("Access-log writes resumed after {} failed attempts", failures);
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
        for (AccessRecord r : batch) {
            try {
                store.write(List.of(entry(r)));
            } catch (RuntimeException e) {
                metrics.accessLogDropped();
                WRITER_LOG.warn(
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
        for (AccessRecord r; (r = queue.poll()) != null; ) {
            if (r != WAKE_UP) {
                lost++;
            }
        }
        for (int i = 0; i < lost; i++) {
            metrics.accessLogDropped();
        }
        if (lost > 0) {
            WRITER_LOG.warn(
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
                WRITER_LOG.info(
                        "Deleted {} access-log entries older than {} (access_log.retention)", deleted, retention);
            }
            return true;
        } catch (RuntimeException e) {
            if (failures == 0) {
                WRITER_LOG.warn("Could not delete old access-log entries; retrying in {}", PURGE_RETRY, e);
            }
            return false;
        }
    }

    /**
     * The row for a record. A close becomes the completion of its connection's accepted attempt,
     * made {@code durationMillis} before it, which is also the row written when that attempt's row
     * is gone (see {@link AccessLogStore}).
     */
    static AccessLogEntry entry(AccessRecord r) {
        if (r.closeCode() == 0) {
            return new AccessLogEntry(
                    r.time(),
                    r.clientIp(),
                    r.origin(),
                    r.userAgent(),
                    r.userId(),
                    r.method(),
                    r.outcome(),
                    r.tokenFingerprint(),
                    r.connectionId(),
                    null,
                    null);
        }
        return new AccessLogEntry(
                r.time().minusMillis(r.durationMillis()),
                r.clientIp(),
                null,
                null,
                r.userId(),
                null,
                AccessRecord.ACCEPTED,
                null,
                r.connectionId(),
                r.closeCode(),
                r.durationMillis());
    }
}
