package io.gatehouse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.api.AccessLogRoutes;
import io.gatehouse.api.AdminCheck;
import io.gatehouse.api.ApiKeyCheck;
import io.gatehouse.api.ConnectionRoutes;
import io.gatehouse.api.CorsPolicy;
import io.gatehouse.api.CredentialRoutes;
import io.gatehouse.api.HealthRoutes;
import io.gatehouse.api.HookRoutes;
import io.gatehouse.api.HttpApi;
import io.gatehouse.api.IdempotentPublishes;
import io.gatehouse.api.ServerRoutes;
import io.gatehouse.api.SessionRoutes;
import io.gatehouse.api.SubscriptionRoutes;
import io.gatehouse.api.TaskRoutes;
import io.gatehouse.api.UserCredentialCheck;
import io.gatehouse.api.UserRoutes;
import io.gatehouse.api.WellKnownRoutes;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.CredentialVerifier;
import io.gatehouse.auth.HmacKeys;
import io.gatehouse.auth.IntrospectedIds;
import io.gatehouse.auth.IntrospectionVerifier;
import io.gatehouse.auth.JwtVerifier;
import io.gatehouse.auth.OpaqueTokenVerifier;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.auth.PasswordHashingPool;
import io.gatehouse.auth.RevokedTokens;
import io.gatehouse.auth.Sessions;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.TokenVerifierChain;
import io.gatehouse.auth.UserIds;
import io.gatehouse.auth.UserNotBefore;
import io.gatehouse.broker.Broker;
import io.gatehouse.broker.DeferredRedisBroker;
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.connection.ChannelCommands;
import io.gatehouse.connection.ClientProtocol;
import io.gatehouse.connection.CredentialLifetime;
import io.gatehouse.connection.DuplicateConnections;
import io.gatehouse.connection.Replies;
import io.gatehouse.hooks.WebhookEvents;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.ClientAddress;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.permissions.ChannelAccess;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.proxy.ChannelProxy;
import io.gatehouse.revocation.RevocationWatcher;
import io.gatehouse.revocation.TokenRevoker;
import io.gatehouse.stats.NodeStats;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.ApiKeyStore;
import io.gatehouse.store.Database;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.SessionStore;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStore;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.UserStore;
import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import io.gatehouse.tasks.TaskCommands;
import io.gatehouse.tasks.TaskEvents;
import io.gatehouse.tasks.Tasks;
import io.gatehouse.transport.HttpEndpoint;
import io.gatehouse.transport.Lifecycle;
import io.gatehouse.transport.WebSocketEndpoint;
import io.gatehouse.web.WebAssets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The parts of one node, built from its configuration in dependency order, each handed the parts
 * it uses: the wiring behind {@link Gatehouse#start}. A field is set once its part is built, so
 * that a start failing part-way can close what already runs ({@link #closeStarted}). Only used
 * during start.
 */
final class Parts {
    /** Blocking tasks (database lookups) that may wait for a thread before new ones are refused. */
    static final int BLOCKING_QUEUE_LIMIT = 10_000;

    final GatehouseConfig config;
    final Database database;
    ExecutorService blocking;
    PasswordHashingPool hashing;
    Broker broker;
    AccessLog accessLog;
    WebhookEvents hooks;
    Hub hub;
    RevocationWatcher watcher;
    /** Null when introspection is off. */
    IntrospectionVerifier introspection;
    /** Null when channels.proxy.url is empty. */
    ChannelProxy proxy;

    Tasks tasks;
    NodeStats stats;

    RequestLimits limits;
    TokenIssuer tokenIssuer;
    Lifecycle lifecycle;
    HttpEndpoint http;
    WebSocketEndpoint webSocket;

    Parts(GatehouseConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    /**
     * Builds the broker, first of all parts: with Redis this connects (or, when Redis cannot be
     * reached, starts degraded), and a start that fails here has created nothing else (no bootstrap
     * admin, no password shown).
     */
    void connectBroker(Clock clock) {
        broker = newBroker(clock);
    }

    /** Builds every other part, after {@link #connectBroker}; nothing listens or polls yet. */
    void build(Clock clock) {
        int threads = Math.max(4, config.database().poolSize());
        // Bounded: past BLOCKING_QUEUE_LIMIT waiting tasks, work is refused with BACKEND_UNAVAILABLE
        // instead of queueing (and holding requests) without limit.
        blocking = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(BLOCKING_QUEUE_LIMIT),
                Gatehouse.daemonThreads("gatehouse-blocking"));
        // Argon2 gets threads of its own, so that a login flood cannot starve token lookups.
        hashing = new PasswordHashingPool(
                PasswordHashingPool.defaultThreads(), config.limits().loginQueue());

        // Credentials: who a token or session says it is.
        HmacKeys secret = DataDirectory.hmacKeys(config);
        var jwt = config.auth().jwt();
        UserIds ids = UserIds.forConfig(config.auth());
        // A minted JWT lives at most auth.tokens.max_ttl: a removal older than that concerns none.
        Duration mintedJwtLife = config.auth().tokens().maxTtl().plus(jwt.clockSkew());
        UserNotBefore notBefore = new UserNotBefore(mintedJwtLife);
        JwtVerifier jwtVerifier = JwtVerifier.forConfig(secret, jwt, clock, ids, notBefore);
        TokenStore tokens = new TokenStore(database);
        var opaque = new OpaqueTokenVerifier(tokens, blocking, clock);
        var introspectionConfig = config.auth().introspection();
        introspection =
                introspectionConfig.enabled() ? IntrospectionVerifier.forConfig(introspectionConfig, clock) : null;
        RevokedTokens revokedTokens = new RevokedTokens(clock);
        // Introspection goes last: it claims every token that is neither ght_ nor a JWT.
        var verifiers = new TokenVerifierChain(
                introspection != null
                        ? List.of(opaque, jwtVerifier, new IntrospectedIds(introspection, ids))
                        : List.of(opaque, jwtVerifier),
                revokedTokens);
        RevocationStore revocations = new RevocationStore(database);
        Sessions sessions = new Sessions(
                new SessionStore(database),
                new UserStore(database),
                revocations,
                tokens,
                new PasswordHasher(),
                hashing,
                config.auth().session(),
                clock);
        CredentialVerifier credentialVerifier = new CredentialVerifier(verifiers, sessions, blocking);
        CredentialExtractor credentials = new CredentialExtractor(
                config.auth().allowQueryToken(), config.auth().session().enabled());
        OriginPolicy origins = new OriginPolicy(
                config.server().allowedOrigins(),
                config.server().publicOrigin(),
                new ClientAddress(config.server().trustedProxies())::isTrustedProxy);
        tokenIssuer = TokenIssuer.forConfig(tokens, secret, config, clock);

        // Channels: publications, live connections, who may hear what.
        WireCodec codec = new WireCodec(new ObjectMapper());
        GatehouseMetrics metrics = new GatehouseMetrics();
        accessLog = AccessLog.start(database, config.accessLog(), metrics, clock);
        hooks = WebhookEvents.start(database, config.hooks(), metrics, clock);
        proxy = config.proxy().enabled() ? new ChannelProxy(config.proxy(), clock, codec.json()) : null;
        hub = new Hub(broker, codec, metrics, config.channels(), hooks::presence, (user, channel) -> {
            if (proxy != null) {
                proxy.forget(user, channel); // every node, whether or not the user is connected here
            }
        });
        broker.start(hub);
        ChannelAccess access = new ChannelAccess(config.channels());
        // With several nodes the limits are also counted across them (docs/redis.md, "Limits").
        limits =
                new RequestLimits(config, metrics, broker instanceof DeferredRedisBroker redis ? redis.limits() : null);
        watcher = new RevocationWatcher(revocations, broker, notBefore, mintedJwtLife, revokedTokens);

        // The HTTP API.
        ApiKeyCheck apiKeys = new ApiKeyCheck(limits, new ApiKeyVerifier(new ApiKeyStore(database), blocking));
        ObjectMapper json = codec.json();
        HttpApi api = new HttpApi(new CorsPolicy(origins));
        lifecycle = new Lifecycle();
        new HealthRoutes(
                        config.metrics(),
                        metrics,
                        database,
                        broker,
                        brokerAddress(),
                        lifecycle::isShuttingDown,
                        json,
                        blocking)
                .register(api);
        UserCredentialCheck userCredentials =
                new UserCredentialCheck(limits, credentials, origins, credentialVerifier, blocking);
        TokenRevoker revoker = new TokenRevoker(
                tokens,
                jwtVerifier,
                introspection,
                revokedTokens,
                watcher,
                hub,
                blocking,
                clock,
                introspectionConfig.recheckInterval(),
                hooks);
        new UserRoutes(
                        userCredentials,
                        codec,
                        tokenIssuer,
                        tokens,
                        revoker,
                        config.auth().tokens(),
                        clock)
                .register(api);
        new SessionRoutes(config.auth().session(), sessions, origins, limits, watcher, metrics, codec, blocking)
                .register(api);
        AdminCheck admins = new AdminCheck(apiKeys, userCredentials, accessLog);
        var publishes = new IdempotentPublishes(broker, config.publish().idempotencyWindow());
        new ServerRoutes(admins, codec, broker, hub, access, config.channels(), clock, clock.instant(), publishes)
                .register(api);
        new ConnectionRoutes(admins, codec, broker, hub).register(api);
        new SubscriptionRoutes(admins, codec, broker, hub, access).register(api);
        tasks = new Tasks(
                new TaskStore(database),
                hub,
                codec,
                clock,
                config.tasks(),
                Gatehouse.daemonThreads("gatehouse-tasks"),
                new TaskEvents() {
                    // The task as the tasks API answers it (docs/webhooks.md); never dropped.
                    @Override
                    public List<WebhookEvent> cancelRequested(TaskRecord task) {
                        return hooks
                                .prepare(
                                        WebhookEvents.TASK_CANCEL_REQUESTED,
                                        tasks.json().of(task))
                                .stream()
                                .toList();
                    }

                    @Override
                    public void written(int count) {
                        hooks.written(count);
                    }
                });
        new TaskRoutes(admins, userCredentials, tasks, blocking).register(api);
        new AccessLogRoutes(admins, new AccessLogStore(database), json, blocking).register(api);
        new HookRoutes(admins, new WebhookStore(database), json, blocking, clock, () -> hooks.written(1)).register(api);
        new WellKnownRoutes(jwt, json).register(api);
        new CredentialRoutes(admins, revoker, json, blocking).register(api);
        new WebAssets().register(api);

        // The client protocol, and the endpoints that carry it.
        String version = Parts.class.getPackage().getImplementationVersion();
        stats = new NodeStats(
                hub,
                metrics,
                accessLog::held,
                hooks::depth,
                codec,
                clock,
                config.dashboard().statsInterval(),
                version == null ? "development" : version,
                Gatehouse.address(config.server().host(), config.server().port()),
                Gatehouse.daemonThreads("gatehouse-stats"),
                broker instanceof DeferredRedisBroker redis ? redis.stats() : null);
        Replies replies = new Replies(codec, clock, config.heartbeat().interval());
        ChannelCommands channels = new ChannelCommands(
                hub,
                broker,
                access,
                limits,
                metrics,
                replies,
                proxy,
                clock,
                config.proxy().recheckInterval());
        ClientProtocol clients = new ClientProtocol(
                clock,
                config.auth().timeout(),
                codec,
                verifiers,
                limits,
                hub,
                replies,
                channels,
                new CredentialLifetime(
                        clock,
                        config.auth().expiryWarning(),
                        config.auth().jwt().clockSkew(),
                        verifiers,
                        sessions,
                        blocking,
                        channels,
                        replies),
                new DuplicateConnections(config.limits().duplicateSessionPolicy(), hub, broker),
                new TaskCommands(tasks, blocking),
                hooks,
                stats);
        http = new HttpEndpoint(config.server(), api, limits, origins);
        webSocket = new WebSocketEndpoint(
                lifecycle,
                credentials,
                credentialVerifier,
                accessLog,
                clients,
                config.heartbeat(),
                config.limits().maxMessageBytes(),
                config.limits().outboundBufferBytes(),
                metrics);
    }

    /**
     * The broker broker.url names: the memory one of a single node, or Redis for several. Redis is
     * waited for, bounded (RedisBroker's command timeout); when it cannot be reached the node starts
     * degraded and connects once it can (DeferredRedisBroker): Redis is shared, and a node that
     * did not start without it would leave no node to serve.
     */
    private Broker newBroker(Clock clock) {
        GatehouseConfig.Broker chosen = config.broker();
        if (chosen.inMemory()) {
            return new MemoryBroker(clock, config.channels()::retention);
        }
        return DeferredRedisBroker.connect(
                chosen.url(), chosen.keyPrefix(), chosen.nodeTtl(), clock, config.channels()::retention);
    }

    /** Where the broker is, as /ready names it: {@code broker.url memory:} or the Redis without its password. */
    private String brokerAddress() {
        return broker instanceof DeferredRedisBroker redis
                ? redis.address()
                : ConfigKey.BROKER_URL.key() + " " + config.broker().url();
    }

    /** Closes what already runs, in reverse, and the database: the start failed. */
    void closeStarted() {
        if (stats != null) {
            stats.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (tasks != null) {
            tasks.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        if (hooks != null) {
            hooks.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (blocking != null) {
            blocking.shutdownNow();
        }
        if (hashing != null) {
            hashing.close();
        }
        if (broker != null) {
            broker.close(); // built first, so closed last (as Gatehouse.close does)
        }
        database.close();
    }
}
