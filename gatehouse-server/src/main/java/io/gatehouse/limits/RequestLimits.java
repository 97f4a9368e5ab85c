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
    /** Failed logins per user name (hashed, so a long name costs no memory), from any IP. */
    private final KeyedLimiter loginFailuresPerAccount;
    private final GatehouseConfig.Limits config;
    private final ClientAddress clientAddress;
    private final GatehouseMetrics metrics;

    public RequestLimits(GatehouseConfig config, GatehouseMetrics metrics) {
        this.config = config.limits();
        this.upgrades = new KeyedLimiter(this.config.upgradesPerIp());
        this.authFailures = new KeyedLimiter(this.config.authFailuresPerIp());
        this.loginFailuresPerAccount = new KeyedLimiter(this.config.loginFailuresPerAccount());
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

    /**
     * Null, or RATE_LIMITED, when {@code ip} has used up its refused-credential allowance: for any
     * credential check over HTTP (API keys, {@code auth/verify}, {@code auth/refresh}), before the
     * check costs a lookup. Takes nothing.
     */
    public Refusal admitCredential(String ip) {
        long wait = authFailures.peek(ip);
        if (wait > 0) {
            metrics.limited("auth_failures_per_ip");
            return RefusalCode.RATE_LIMITED.refusal("Too many refused credentials from this address; wait").retryAfter(wait);
        }
        return null;
    }

    /**
     * Null, or RATE_LIMITED, when logins to {@code username} failed too often lately
     * ({@code limits.login_failures_per_account}), from whatever addresses. Takes nothing. The
     * bucket refills: guessing one account from many addresses is slowed to its rate, and the
     * account's owner is told when to retry, never locked out for good.
     */
    public Refusal admitLoginTo(String username) {
        long wait = loginFailuresPerAccount.peek(accountKey(username));
        if (wait > 0) {
            metrics.limited("login_failures_per_account");
            return RefusalCode.RATE_LIMITED.refusal("Too many failed logins for this user; wait and retry").retryAfter(wait);
        }
        return null;
    }

    /** Counts a failed login against {@code username}, whether or not such a user exists. */
    public void loginFailed(String username) {
        loginFailuresPerAccount.take(accountKey(username));
    }

    private static String accountKey(String username) {
        return io.gatehouse.auth.Fingerprint.credentialId(username);
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
