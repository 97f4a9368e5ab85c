package io.gatehouse.accesslog;

import io.gatehouse.auth.AuthRequest;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.Database;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every upgrade attempt, accepted or refused, every close of an accepted connection
 * (SPEC §8), and every admin action through the HTTP API with a cookie session (an admin's cancel
 * of another user's task with a token too): one line to the {@code gatehouse.access} logger and one
 * row in the {@code access_log} table. It never keeps a whole secret, only fingerprints: attempts
 * are made by {@link UpgradeAttempt} and actions by {@link #action}, the two places that turn a
 * credential into its carrier and fingerprint.
 *
 * <p>Never blocks its caller, which is usually an event loop: {@link #record} only offers the
 * entry to a buffer of {@code access_log.buffer} entries, which an {@link AccessLogWriter} moves
 * into the database in batches. When the buffer is full the entry is dropped and counted in
 * {@code gatehouse_access_log_dropped_total}.
 *
 * <p>{@link #close} writes what is buffered, waiting at most {@value #FLUSH_SECONDS} s for the
 * database, then stops the writer; entries that arrive afterwards are dropped and counted.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("gatehouse.access");
    private static final Logger WARNINGS = LoggerFactory.getLogger(AccessLog.class);

    static final int FLUSH_SECONDS = 5;

    private final AccessLogWriter writer;
    private final GatehouseMetrics metrics;
    private final Clock clock;
    private final int capacity;

    private AccessLog(AccessLogWriter writer, GatehouseMetrics metrics, Clock clock, int capacity) {
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.capacity = capacity;
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
        AccessLogWriter writer = new AccessLogWriter(store, config, metrics, clock, flushTimeout);
        writer.start();
        return new AccessLog(writer, metrics, clock, config.buffer());
    }

    /** A WebSocket upgrade from {@code clientIp}, to record once its outcome is known. */
    public UpgradeAttempt attempt(String clientIp, String origin, String userAgent) {
        return new UpgradeAttempt(this, clock, clientIp, origin, userAgent, null, null, null);
    }

    /**
     * Records that the admin {@code admin}, authenticated by {@code credential} on {@code request}
     * from {@code clientIp}, did {@code action} to {@code target}: a row of its own, not an upgrade
     * attempt (no attempt is counted). Never blocks.
     */
    public void action(
            AdminAction action,
            String target,
            Principal admin,
            Credential credential,
            String clientIp,
            AuthRequest request) {
        record(AccessLogEntry.action(
                clock.instant(),
                clientIp,
                request.header("Origin"),
                request.header("User-Agent"),
                admin.user().id(),
                credential.carrier().wireName(),
                Fingerprint.of(credential.token()),
                action.wireName(),
                target));
    }

    /** Logs the entry and buffers it for the database. Never blocks. */
    public void record(AccessLogEntry e) {
        if (e.isAction()) {
            LOG.info(
                    "action {} target=\"{}\" user={} ip={} origin={} method={} fingerprint={}",
                    e.action(),
                    PrintableId.escape(e.target()), // it may hold an id from a path
                    e.userId(),
                    e.clientIp(),
                    e.origin(),
                    e.method(),
                    e.tokenFingerprint());
        } else if (!e.isClose()) {
            metrics.attempt(e.outcome());
            LOG.info(
                    "attempt outcome={} ip={} origin={} method={} user={} fingerprint={} connection={} agent=\"{}\"",
                    e.outcome(),
                    e.clientIp(),
                    e.origin(),
                    e.method(),
                    e.userId(),
                    e.tokenFingerprint(),
                    e.connectionId(),
                    e.userAgent());
        } else {
            LOG.info(
                    "close connection={} user={} ip={} close_code={} duration_ms={}",
                    e.connectionId(),
                    e.userId(),
                    e.clientIp(),
                    e.closeCode(),
                    e.durationMillis());
        }
        if (!writer.offer(e)) {
            metrics.accessLogDropped();
            if (writer.firstDropSinceWrite()) {
                WARNINGS.warn(
                        writer.isClosed()
                                ? "An access-log record arrived after the access log was closed; it is dropped and counted in "
                                        + "gatehouse_access_log_dropped_total"
                                : "The access-log buffer is full ({} records, access_log.buffer) because the database is slow or "
                                        + "down; records are dropped and counted in gatehouse_access_log_dropped_total",
                        capacity);
            }
        }
    }

    /** Records buffered or being written: the access-log queue (at most access_log.buffer). */
    public int held() {
        return writer.held();
    }

    /**
     * Writes what is buffered, waiting at most the flush timeout for the database, then stops the
     * writer. Call once the records of interest are recorded (after the server has stopped).
     */
    @Override
    public void close() {
        writer.close();
    }
}
