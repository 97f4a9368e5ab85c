package io.gatehouse.limits;

import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.cluster.SharedLimits;
import io.gatehouse.cluster.SharedLimits.Bucket;
import io.gatehouse.cluster.SharedLimits.BucketStep;
import io.gatehouse.cluster.SharedLimits.Step;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.RateLimit;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The limits of the front door (SPEC §7), each refusal counted in
 * {@code gatehouse_limited_total{limit}}. Failed attempts are counted per IP, successful ones per
 * credential, so that an office of a thousand users behind one NAT address can all reconnect after
 * a drain while one host cannot hammer the server:
 * <ul>
 *   <li>{@code limits.upgrades_per_ip}: every upgrade takes a token from its IP's bucket and an
 *       accepted one gives it back, so only attempts that fail (or are still being verified) count;
 *   <li>{@code limits.upgrades_per_credential}: every upgrade with a given token or session, accepted
 *       or not, so one credential cannot reconnect in a loop;
 *   <li>{@code limits.auth_failures_per_ip}: refused credentials; an IP with none left is slowed
 *       down (HTTP 429 before the upgrade) until its bucket refills;
 *   <li>{@code limits.connections_per_ip}: open connections, see {@link ConnectionsPerIp}.
 * </ul>
 * With several nodes ({@link SharedLimits}), upgrades per IP, refused credentials per IP and failed
 * logins per account are also counted across nodes, after this node's own count has passed (so the
 * single-node path never waits): each check then completes when the shared answer arrives, and
 * fails open to this node's answer when it does not ({@link FailOpen}). Thread-safe.
 */
public final class RequestLimits {
    /** Refusals that count as a failed credential: guessing, not expiry. */
    private static final Set<RefusalCode> CREDENTIAL_FAILURES = Set.of(
            RefusalCode.TOKEN_INVALID,
            RefusalCode.TOKEN_REVOKED,
            RefusalCode.LOGIN_FAILED,
            RefusalCode.CSRF_VALIDATION_ERROR);

    private final KeyedLimiter upgrades;
    private final KeyedLimiter upgradesPerCredential;
    private final KeyedLimiter authFailures;
    private final ConnectionsPerIp connectionsPerIp;
    /** Failed logins per user name (hashed, so a long name costs no memory), from any IP. */
    private final KeyedLimiter loginFailuresPerAccount;

    private final GatehouseConfig.Limits config;
    private final ClientAddress clientAddress;
    private final GatehouseMetrics metrics;
    /** The deployment's limits, or null on a single node. */
    private final SharedLimits shared;

    private final FailOpen failOpen;
    private final ConnectionCounts acrossNodes;

    /** The limits of a single node. */
    public RequestLimits(GatehouseConfig config, GatehouseMetrics metrics) {
        this(config, metrics, null);
    }

    /** The limits of a node of a deployment whose shared limits are {@code shared} (null: a single node). */
    public RequestLimits(GatehouseConfig config, GatehouseMetrics metrics, SharedLimits shared) {
        this.config = config.limits();
        this.upgrades = new KeyedLimiter(this.config.upgradesPerIp());
        this.upgradesPerCredential = new KeyedLimiter(this.config.upgradesPerCredential());
        this.authFailures = new KeyedLimiter(this.config.authFailuresPerIp());
        this.connectionsPerIp = new ConnectionsPerIp(this.config.connectionsPerIp());
        this.loginFailuresPerAccount = new KeyedLimiter(this.config.loginFailuresPerAccount());
        this.clientAddress = new ClientAddress(config.server().trustedProxies());
        this.metrics = metrics;
        this.shared = shared;
        this.failOpen = new FailOpen(metrics);
        this.acrossNodes = new ConnectionCounts(shared, failOpen);
    }

    /** Whether limits are also counted across nodes: the upgrade then waits for {@link #admitUpgradeAcrossNodes}. */
    public boolean isShared() {
        return shared != null;
    }

    public ClientAddress clientAddress() {
        return clientAddress;
    }

    /**
     * Null, or RATE_LIMITED with the wait, when {@code ip} may not upgrade now. Takes a token from
     * the IP's bucket; {@link #accepted} gives it back.
     */
    public Refusal admitUpgrade(String ip) {
        Refusal slowed = afterFailures(ip, "Too many refused credentials from this address; wait and log in again");
        if (slowed != null) {
            return slowed;
        }
        return limitedFor(
                upgrades.take(ip),
                ConfigKey.LIMITS_UPGRADES_PER_IP,
                "Too many failed connection attempts from this address (limits.upgrades_per_ip)");
    }

    /**
     * The deployment's side of {@link #admitUpgrade}, which passed: null, or RATE_LIMITED when
     * {@code ip} has used up limits.auth_failures_per_ip or limits.upgrades_per_ip across nodes.
     * Takes a token from the IP's shared bucket too; {@link #accepted} gives it back. Null at once
     * on a single node.
     */
    public CompletionStage<Refusal> admitUpgradeAcrossNodes(String ip) {
        if (shared == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<BucketStep> steps = List.of(
                new BucketStep(Step.PEEK, authFailuresBucket(ip)),
                new BucketStep(Step.TAKE, bucket("upgrades_ip", ip, config.upgradesPerIp())));
        return failOpen.decide("upgrades_per_ip", () -> shared.buckets(steps), SharedLimits.Wait.NONE)
                .thenApply(
                        w -> w.passed()
                                ? null
                                : w.refused() == 0
                                        ? limitedFor(
                                                w.waitMillis(),
                                                ConfigKey.LIMITS_AUTH_FAILURES_PER_IP,
                                                "Too many refused credentials from this address; wait and log in again")
                                        : limitedFor(
                                                w.waitMillis(),
                                                ConfigKey.LIMITS_UPGRADES_PER_IP,
                                                "Too many failed connection attempts from this address (limits.upgrades_per_ip)"));
    }

    /** Null, or RATE_LIMITED with the wait, when {@code credential} was presented too often. Takes a token. */
    public Refusal admitCredential(Credential credential) {
        return limitedFor(
                upgradesPerCredential.take(Fingerprint.credentialId(credential.token())),
                ConfigKey.LIMITS_UPGRADES_PER_CREDENTIAL,
                "This credential reconnects too often (limits.upgrades_per_credential)");
    }

    /** An upgrade from {@code ip} was accepted: it does not count against limits.upgrades_per_ip. */
    public void accepted(String ip) {
        upgrades.giveBack(ip);
        alsoShared("upgrades_per_ip", Step.GIVE, bucket("upgrades_ip", ip, config.upgradesPerIp()));
    }

    /**
     * Null, or RATE_LIMITED, when {@code ip} has used up its refused-credential allowance (on this
     * node, then across nodes). Takes nothing.
     */
    public CompletionStage<Refusal> admitLogin(String ip) {
        return afterFailuresAcrossNodes(ip, "Too many failed logins from this address; wait");
    }

    /**
     * Null, or RATE_LIMITED, when {@code ip} has used up its refused-credential allowance (on this
     * node, then across nodes): for any credential check over HTTP (API keys, {@code auth/verify},
     * {@code auth/refresh}), before the check costs a lookup. Takes nothing.
     */
    public CompletionStage<Refusal> admitCredentialCheck(String ip) {
        return afterFailuresAcrossNodes(ip, "Too many refused credentials from this address; wait");
    }

    private CompletionStage<Refusal> afterFailuresAcrossNodes(String ip, String hint) {
        Refusal here = afterFailures(ip, hint);
        if (here != null || shared == null) {
            return CompletableFuture.completedFuture(here);
        }
        List<BucketStep> peek = List.of(new BucketStep(Step.PEEK, authFailuresBucket(ip)));
        return failOpen.decide("auth_failures_per_ip", () -> shared.buckets(peek), SharedLimits.Wait.NONE)
                .thenApply(w -> limitedFor(w.waitMillis(), ConfigKey.LIMITS_AUTH_FAILURES_PER_IP, hint));
    }

    private Refusal afterFailures(String ip, String hint) {
        return limitedFor(authFailures.peek(ip), ConfigKey.LIMITS_AUTH_FAILURES_PER_IP, hint);
    }

    /** Null when {@code wait} is 0; else RATE_LIMITED with that wait and {@code hint}, counted under {@code limit}. */
    private Refusal limitedFor(long wait, ConfigKey limit, String hint) {
        if (wait <= 0) {
            return null;
        }
        metrics.limited(limit);
        return RefusalCode.RATE_LIMITED.refusal(hint).retryAfter(wait);
    }

    /**
     * Reserves one failure of {@code ip} (limits.auth_failures_per_ip) and one of {@code username}
     * (limits.login_failures_per_account) before the password is hashed, so that logins sent at
     * once cannot all pass a check that only counts afterwards: null, with both taken, or
     * RATE_LIMITED with neither. A login that succeeds, or is never checked, gives both back
     * ({@link #loginNotFailed}); one that fails keeps them. With several nodes, both are then taken
     * from the shared buckets too, both or neither.
     */
    public CompletionStage<Refusal> reserveLoginFailure(String ip, String username) {
        Refusal here = reserveLoginFailureHere(ip, username);
        if (here != null || shared == null) {
            return CompletableFuture.completedFuture(here);
        }
        List<BucketStep> steps = List.of(
                new BucketStep(Step.TAKE, authFailuresBucket(ip)), new BucketStep(Step.TAKE, accountBucket(username)));
        return failOpen.decide("login_failures_per_account", () -> shared.buckets(steps), SharedLimits.Wait.NONE)
                .thenApply(w -> {
                    if (w.passed()) {
                        return null;
                    }
                    authFailures.giveBack(ip); // refused across nodes: neither is taken here either
                    loginFailuresPerAccount.giveBack(accountKey(username));
                    return w.refused() == 0
                            ? limitedFor(
                                    w.waitMillis(),
                                    ConfigKey.LIMITS_AUTH_FAILURES_PER_IP,
                                    "Too many failed logins from this address; wait")
                            : limitedFor(
                                    w.waitMillis(),
                                    ConfigKey.LIMITS_LOGIN_FAILURES_PER_ACCOUNT,
                                    "Too many failed logins for this user; wait and retry");
                });
    }

    private Refusal reserveLoginFailureHere(String ip, String username) {
        Refusal fromIp = limitedFor(
                authFailures.take(ip),
                ConfigKey.LIMITS_AUTH_FAILURES_PER_IP,
                "Too many failed logins from this address; wait");
        if (fromIp != null) {
            return fromIp;
        }
        long wait = loginFailuresPerAccount.take(accountKey(username));
        if (wait > 0) {
            authFailures.giveBack(ip); // neither is taken when one refuses
        }
        return limitedFor(
                wait,
                ConfigKey.LIMITS_LOGIN_FAILURES_PER_ACCOUNT,
                "Too many failed logins for this user; wait and retry");
    }

    /** A login reserved with {@link #reserveLoginFailure} succeeded or was not checked: give both back. */
    public void loginNotFailed(String ip, String username) {
        authFailures.giveBack(ip);
        loginFailuresPerAccount.giveBack(accountKey(username));
        alsoShared("login_failures_per_account", Step.GIVE, authFailuresBucket(ip), accountBucket(username));
    }

    private static Bucket bucket(String name, String key, RateLimit limit) {
        return new Bucket(name, key, limit.ratePerSecond(), limit.burst());
    }

    private Bucket authFailuresBucket(String ip) {
        return bucket("auth_failures_ip", ip, config.authFailuresPerIp());
    }

    private Bucket accountBucket(String username) {
        return bucket("login_failures_account", accountKey(username), config.loginFailuresPerAccount());
    }

    /** Does {@code step} on each of {@code buckets} across nodes too, without waiting for it. */
    private void alsoShared(String limit, Step step, Bucket... buckets) {
        if (shared == null) {
            return;
        }
        List<BucketStep> steps = java.util.Arrays.stream(buckets)
                .map(b -> new BucketStep(step, b))
                .toList();
        try {
            shared.buckets(steps).whenComplete((w, failure) -> {
                if (failure != null) {
                    failOpen.failedOpen(limit, failure);
                }
            });
        } catch (RuntimeException e) {
            failOpen.failedOpen(limit, e);
        }
    }

    private static String accountKey(String username) {
        return Fingerprint.credentialId(username);
    }

    /** Counts {@code refusal} against {@code ip} when it is a failed credential. */
    public void refused(String ip, Refusal refusal) {
        if (refusal != null && CREDENTIAL_FAILURES.contains(refusal.code())) {
            authFailures.take(ip);
            alsoShared("auth_failures_per_ip", Step.TAKE, authFailuresBucket(ip));
        }
    }

    /** Open connections per client IP. */
    public ConnectionsPerIp connectionsPerIp() {
        return connectionsPerIp;
    }

    /** The refusal for a connection past limits.connections_per_ip; counts it. */
    public Refusal tooManyConnectionsFromIp() {
        metrics.limited(ConfigKey.LIMITS_CONNECTIONS_PER_IP);
        return RefusalCode.TOO_MANY_CONNECTIONS
                .refusal("This address has limits.connections_per_ip connections open")
                .retryAfter(5000);
    }

    /** The refusal for a connection past limits.connections_per_user; counts it. */
    public Refusal tooManyConnectionsOfUser() {
        metrics.limited(ConfigKey.LIMITS_CONNECTIONS_PER_USER);
        return RefusalCode.TOO_MANY_CONNECTIONS
                .refusal("This user has limits.connections_per_user connections open")
                .retryAfter(5000);
    }

    /** The refusal of a connection past limits.messages_per_connection, for {@code wait} ms; counts it. */
    public Refusal tooManyMessages(long wait) {
        metrics.limited(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION);
        return RefusalCode.RATE_LIMITED
                .refusal("Too many messages or control frames (limits.messages_per_connection)")
                .retryAfter(wait);
    }

    /** A bucket for one connection's messages. */
    public TokenBucket messageBucket() {
        return new TokenBucket(config.messagesPerConnection(), System.nanoTime());
    }

    /** The open-connection counts that hold across nodes (limits.connections_per_user/_per_ip, duplicate reject). */
    public ConnectionCounts acrossNodes() {
        return acrossNodes;
    }

    public int connectionsPerUser() {
        return config.connectionsPerUser();
    }

    public int subscriptionsPerConnection() {
        return config.subscriptionsPerConnection();
    }

    /** Counts a refusal by {@code limit} in gatehouse_limited_total. */
    public void limited(ConfigKey limit) {
        metrics.limited(limit);
    }
}
