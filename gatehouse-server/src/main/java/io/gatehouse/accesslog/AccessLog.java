package io.gatehouse.accesslog;

import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.metrics.GatehouseMetrics;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every upgrade attempt, accepted or refused, and every close (SPEC §8). This version
 * writes one log line per event to the {@code gatehouse.access} logger; it never sees a whole
 * secret, only fingerprints. Never blocks: logging is asynchronous in the shipped configuration.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("gatehouse.access");

    private final GatehouseMetrics metrics;

    public AccessLog(GatehouseMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Records an upgrade attempt. {@code credential} (may be null) is reduced to its carrier and
     * fingerprint here, so callers never hand a token to the log.
     */
    public void attempt(Instant time, String clientIp, String origin, String userAgent, String userId, String outcome,
            Credential credential, String connectionId) {
        record(AccessRecord.attempt(time, clientIp, origin, userAgent, userId,
                credential == null ? null : credential.carrier().wireName(), outcome,
                credential == null ? null : Fingerprint.of(credential.token()), connectionId));
    }

    public void record(AccessRecord r) {
        if (r.closeCode() == 0) {
            metrics.attempt(r.outcome());
            LOG.info("attempt outcome={} ip={} origin={} method={} user={} fingerprint={} connection={} agent=\"{}\"",
                    r.outcome(), r.clientIp(), r.origin(), r.method(), r.userId(), r.tokenFingerprint(), r.connectionId(),
                    r.userAgent());
        } else {
            LOG.info("close connection={} user={} ip={} close_code={} duration_ms={}",
                    r.connectionId(), r.userId(), r.clientIp(), r.closeCode(), r.durationMillis());
        }
    }
}
