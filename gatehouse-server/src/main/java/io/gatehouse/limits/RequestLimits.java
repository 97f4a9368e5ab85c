package io.gatehouse.limits;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.util.Set;

/**
 * The per-IP limits of the front door (SPEC §7): upgrades per IP, and refused credentials per IP
 * (an IP whose bucket is empty is slowed down: HTTP 429 before the upgrade until it refills).
 * Each refusal is counted in {@code gatehouse_limited_total{limit}}. Thread-safe.
 */
public final class RequestLimits {
    /** Refusals that count as a failed credential: guessing, not expiry. */
    private static final Set<RefusalCode> CREDENTIAL_FAILURES = Set.of(RefusalCode.TOKEN_INVALID, RefusalCode.TOKEN_REVOKED,
            RefusalCode.LOGIN_FAILED, RefusalCode.CSRF_VALIDATION_ERROR);

    private final KeyedLimiter upgrades;
    private final KeyedLimiter authFailures;
    private final GatehouseConfig.Limits config;
    private final ClientAddress clientAddress;
    private final GatehouseMetrics metrics;

    public RequestLimits(GatehouseConfig config, GatehouseMetrics metrics) {
        this.config = config.limits();
        this.upgrades = new KeyedLimiter(this.config.upgradesPerIp());
        this.authFailures = new KeyedLimiter(this.config.authFailuresPerIp());
        this.clientAddress = new ClientAddress(config.server().trustedProxies());
        this.metrics = metrics;
    }

    public ClientAddress clientAddress() {
        return clientAddress;
    }

    /** Null, or RATE_LIMITED with the wait, when {@code ip} may not upgrade now. Takes a token. */
    public Refusal admitUpgrade(String ip) {
        long wait = authFailures.peek(ip);
        if (wait > 0) {
            metrics.limited("auth_failures_per_ip");
            return RefusalCode.RATE_LIMITED.refusal("Too many refused credentials from this address; wait and log in again")
                    .retryAfter(wait);
        }
        wait = upgrades.take(ip);
        if (wait > 0) {
            metrics.limited("upgrades_per_ip");
            return RefusalCode.RATE_LIMITED.refusal("Too many connection attempts from this address (limits.upgrades_per_ip)")
                    .retryAfter(wait);
        }
        return null;
    }

    /** Null, or RATE_LIMITED, when {@code ip} has used up its refused-credential allowance. Takes nothing. */
    public Refusal admitLogin(String ip) {
        long wait = authFailures.peek(ip);
        if (wait > 0) {
            metrics.limited("auth_failures_per_ip");
            return RefusalCode.RATE_LIMITED.refusal("Too many failed logins from this address; wait").retryAfter(wait);
        }
        return null;
    }

    /** Counts {@code refusal} against {@code ip} when it is a failed credential. */
    public void refused(String ip, Refusal refusal) {
        if (refusal != null && CREDENTIAL_FAILURES.contains(refusal.code())) {
            authFailures.take(ip);
        }
    }

    /** A bucket for one connection's messages. */
    public TokenBucket messageBucket() {
        return new TokenBucket(config.messagesPerConnection(), System.nanoTime());
    }

    public int connectionsPerUser() {
        return config.connectionsPerUser();
    }

    public void limited(String limit) {
        metrics.limited(limit);
    }
}
