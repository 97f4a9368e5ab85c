package io.gatehouse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.api.AccessLogRoutes;
import io.gatehouse.api.ApiKeyCheck;
import io.gatehouse.api.CredentialRoutes;
import io.gatehouse.api.HealthRoutes;
import io.gatehouse.api.HttpApi;
import io.gatehouse.api.ServerRoutes;
import io.gatehouse.api.SessionRoutes;
import io.gatehouse.api.UserCredentialCheck;
import io.gatehouse.api.UserRoutes;
import io.gatehouse.api.WellKnownRoutes;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.CredentialVerifier;
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
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.codec.MessageCodec;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.connection.ChannelCommands;
import io.gatehouse.connection.ClientProtocol;
import io.gatehouse.connection.CredentialLifetime;
import io.gatehouse.connection.DuplicateConnections;
import io.gatehouse.connection.Replies;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.ClientAddress;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.permissions.ChannelAccess;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.revocation.IntrospectionRecheck;
import io.gatehouse.revocation.RevocationWatcher;
import io.gatehouse.revocation.TokenRevoker;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.ApiKeyStore;
import io.gatehouse.store.Database;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.SessionStore;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.UserStore;
import io.gatehouse.transport.GatehouseServer;
import io.gatehouse.transport.HttpEndpoint;
import io.gatehouse.transport.Lifecycle;
import io.gatehouse.transport.WebSocketEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A running Gatehouse node, and the one place its parts are wired: {@link #start} builds every
 * service from the configuration, in dependency order, and hands each the parts it uses;
 * {@link #close} stops them in reverse. Nothing else holds the whole node.
 */
public final class Gatehouse implements AutoCloseable {
    /** Blocking tasks (database lookups) that may wait for a thread before new ones are refused. */
    static final int BLOCKING_QUEUE_LIMIT = 10_000;

    private final GatehouseConfig config;
    private final Database database;
    private final ExecutorService blocking;
    private final PasswordHashingPool hashing;
    private final Broker broker;
    private final AccessLog accessLog;
    private final Hub hub;
    private final RevocationWatcher watcher;
    /** Null when introspection is off. */
    private final IntrospectionRecheck recheck;

    private final RequestLimits limits;
    private final TokenIssuer tokenIssuer;
    private final Lifecycle lifecycle;
    private final HttpEndpoint http;
    private final WebSocketEndpoint webSocket;
    private final GatehouseServer server;

    private Gatehouse(Parts parts, IntrospectionRecheck recheck, GatehouseServer server) {
        this.config = parts.config;
        this.database = parts.database;
        this.blocking = parts.blocking;
        this.hashing = parts.hashing;
        this.broker = parts.broker;
        this.accessLog = parts.accessLog;
        this.hub = parts.hub;
        this.watcher = parts.watcher;
        this.recheck = recheck;
        this.limits = parts.limits;
        this.tokenIssuer = parts.tokenIssuer;
        this.lifecycle = parts.lifecycle;
        this.http = parts.http;
        this.webSocket = parts.webSocket;
        this.server = server;
    }

    /**
     * What {@link #start} has built so far; on a failure, the parts that run threads are closed in
     * reverse. Only used during start.
     */
    private static final class Parts {
        GatehouseConfig config;
        Database database;
        ExecutorService blocking;
        PasswordHashingPool hashing;
        MemoryBroker broker;
        AccessLog accessLog;
        Hub hub;
        RevocationWatcher watcher;
        RequestLimits limits;
        TokenIssuer tokenIssuer;
        Lifecycle lifecycle;
        HttpEndpoint http;
        WebSocketEndpoint webSocket;

        void closeStarted() {
            if (watcher != null) {
                watcher.close();
            }
            if (accessLog != null) {
                accessLog.close();
            }
            if (broker != null) {
                broker.close();
            }
            if (blocking != null) {
                blocking.shutdownNow();
            }
            if (hashing != null) {
                hashing.close();
            }
            database.close();
        }
    }

    /**
     * Starts a node. {@code console} receives what an operator must see once (the bootstrap admin
     * password); it is never the log.
     */
    public static Gatehouse start(GatehouseConfig config, Clock clock, Consumer<String> console)
            throws InterruptedException {
        Parts parts = new Parts();
        parts.config = config;
        parts.database = DataDirectory.openDatabase(config);
        IntrospectionRecheck recheck = null;
        try {
            DataDirectory.bootstrapAdmin(parts.database, console);
            IntrospectionVerifier introspection = build(parts, clock);
            GatehouseServer server = GatehouseServer.start(parts.http, parts.webSocket);
            parts.watcher.start();
            if (introspection != null) {
                recheck = new IntrospectionRecheck(
                        parts.hub, introspection, config.auth().introspection().recheckInterval());
                recheck.start();
            }
            return new Gatehouse(parts, recheck, server);
        } catch (RuntimeException | InterruptedException e) {
            if (recheck != null) {
                recheck.close();
            }
            parts.closeStarted();
            throw e;
        }
    }

    /** Builds every part of the node into {@code parts}; returns the introspection verifier, null when off. */
    private static IntrospectionVerifier build(Parts parts, Clock clock) {
        GatehouseConfig config = parts.config;
        Database database = parts.database;
        int threads = Math.max(4, config.database().poolSize());
        // Bounded: past BLOCKING_QUEUE_LIMIT waiting tasks, work is refused with BACKEND_UNAVAILABLE
        // instead of queueing (and holding requests) without limit.
        ExecutorService blocking = parts.blocking = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(BLOCKING_QUEUE_LIMIT),
                daemonThreads("gatehouse-blocking"));
        // Argon2 gets threads of its own, so that a login flood cannot starve token lookups.
        parts.hashing = new PasswordHashingPool(
                PasswordHashingPool.defaultThreads(), config.limits().loginQueue());

        // Credentials: who a token or session says it is.
        byte[] secret = DataDirectory.hmacSecret(config);
        var jwt = config.auth().jwt();
        UserIds ids = UserIds.forConfig(config.auth());
        // A minted JWT lives at most auth.tokens.max_ttl: a removal older than that concerns none.
        Duration mintedJwtLife = config.auth().tokens().maxTtl().plus(jwt.clockSkew());
        UserNotBefore notBefore = new UserNotBefore(mintedJwtLife);
        JwtVerifier jwtVerifier = JwtVerifier.forConfig(secret, jwt, clock, ids, notBefore);
        TokenStore tokens = new TokenStore(database);
        var opaque = new OpaqueTokenVerifier(tokens, blocking, clock);
        var introspectionConfig = config.auth().introspection();
        IntrospectionVerifier introspection =
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
                parts.hashing,
                config.auth().session(),
                clock);
        CredentialVerifier credentialVerifier = new CredentialVerifier(verifiers, sessions, blocking);
        CredentialExtractor credentials = new CredentialExtractor(
                config.auth().allowQueryToken(), config.auth().session().enabled());
        OriginPolicy origins = new OriginPolicy(
                config.server().allowedOrigins(),
                config.server().publicOrigin(),
                new ClientAddress(config.server().trustedProxies())::isTrustedProxy);
        parts.tokenIssuer = TokenIssuer.forConfig(tokens, secret, config, clock);

        // Channels: publications, live connections, who may hear what.
        MessageCodec codec = new MessageCodec(new ObjectMapper());
        GatehouseMetrics metrics = new GatehouseMetrics();
        MemoryBroker broker = parts.broker = new MemoryBroker(clock, config.channels()::retention);
        parts.accessLog = AccessLog.start(database, config.accessLog(), metrics, clock);
        Hub hub = parts.hub = new Hub(broker, codec, metrics, config.channels());
        broker.start(hub);
        ChannelAccess access = new ChannelAccess(config.channels());
        RequestLimits limits = parts.limits = new RequestLimits(config, metrics);
        RevocationWatcher watcher =
                parts.watcher = new RevocationWatcher(revocations, broker, notBefore, mintedJwtLife);

        // The HTTP API.
        ApiKeyCheck apiKeys = new ApiKeyCheck(limits, new ApiKeyVerifier(new ApiKeyStore(database), blocking));
        ObjectMapper json = codec.json();
        HttpApi api = new HttpApi();
        new HealthRoutes(config.metrics(), metrics, database, broker, json, blocking).register(api);
        new UserRoutes(
                        new UserCredentialCheck(limits, credentials, origins, credentialVerifier, blocking),
                        codec,
                        parts.tokenIssuer,
                        tokens,
                        watcher,
                        config.auth().tokens(),
                        clock)
                .register(api);
        new SessionRoutes(config.auth().session(), sessions, origins, limits, watcher, metrics, codec, blocking)
                .register(api);
        new ServerRoutes(apiKeys, codec, broker, hub, access, clock, clock.instant()).register(api);
        new AccessLogRoutes(apiKeys, new AccessLogStore(database), json, blocking).register(api);
        new WellKnownRoutes(jwt, json).register(api);
        TokenRevoker revoker = new TokenRevoker(
                tokens,
                jwtVerifier,
                introspection,
                revokedTokens,
                watcher,
                hub,
                blocking,
                clock,
                introspectionConfig.recheckInterval());
        new CredentialRoutes(apiKeys, revoker, json).register(api);

        // The client protocol, and the endpoints that carry it.
        Replies replies = new Replies(codec, clock, config.heartbeat().interval());
        ChannelCommands channels = new ChannelCommands(hub, broker, access, limits, metrics, replies);
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
                        clock, config.auth().expiryWarning(), verifiers, sessions, blocking, channels, replies),
                new DuplicateConnections(config.limits().duplicateSessionPolicy(), hub, broker));
        parts.lifecycle = new Lifecycle();
        parts.http = new HttpEndpoint(config.server(), api, limits, origins);
        parts.webSocket = new WebSocketEndpoint(
                parts.lifecycle,
                credentials,
                credentialVerifier,
                parts.accessLog,
                clients,
                config.heartbeat(),
                config.limits().maxMessageBytes(),
                config.limits().outboundBufferBytes(),
                metrics);
        return introspection;
    }

    public int port() {
        return server.port();
    }

    /** The base URL, {@code http://HOST:PORT}. */
    public String url() {
        String host = server.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    // What operators' tools and tests look at in a running node.

    public GatehouseConfig config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public Broker broker() {
        return broker;
    }

    public Hub hub() {
        return hub;
    }

    public RequestLimits limits() {
        return limits;
    }

    public TokenIssuer tokenIssuer() {
        return tokenIssuer;
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Where database and other blocking calls run, never an event loop. */
    public ExecutorService blocking() {
        return blocking;
    }

    /** What the server's HTTP side is built from (for a pipeline without a socket, as the HTTP fuzz target runs it). */
    public HttpEndpoint httpEndpoint() {
        return http;
    }

    public WebSocketEndpoint webSocketEndpoint() {
        return webSocket;
    }

    /**
     * Stops the node (SPEC §7): new upgrades get 503 SERVER_SHUTTING_DOWN; open connections are
     * closed with 1012, spread over {@code shutdown.drain}, each told a different
     * {@code retry_after_ms} so that their reconnects do not arrive together; then the server stops.
     */
    @Override
    public void close() {
        if (recheck != null) {
            recheck.close();
        }
        drain();
        server.close();
        accessLog.close();
        watcher.close();
        hashing.close();
        blocking.shutdown();
        try {
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broker.close();
        database.close();
    }

    private void drain() {
        lifecycle.beginShutdown();
        List<Connection> open = List.copyOf(hub.connections());
        if (open.isEmpty()) {
            return;
        }
        long windowMillis = config.shutdownDrain().toMillis();
        ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(daemonThreads("gatehouse-drain"));
        try {
            for (int i = 0; i < open.size(); i++) {
                Connection c = open.get(i);
                long at = windowMillis * i / open.size();
                // The closes are spread over the window already; half a window more of jitter keeps
                // every reconnect within 1.5 windows (+0.5 s) of the drain's start.
                long retryAfter = 500 + ThreadLocalRandom.current().nextLong(Math.max(1, windowMillis / 2));
                closer.schedule(
                        () -> c.close(RefusalCode.SERVER_SHUTTING_DOWN.refusal().retryAfter(retryAfter)),
                        at,
                        TimeUnit.MILLISECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMillis + 3000);
            while (hub.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the JVM is stopping: a plain wait is the point
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closer.shutdownNow();
        }
    }

    static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
