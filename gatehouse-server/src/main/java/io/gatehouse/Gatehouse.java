package io.gatehouse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.api.AccessLogRoutes;
import io.gatehouse.api.CredentialRoutes;
import io.gatehouse.api.HealthRoutes;
import io.gatehouse.api.HttpApi;
import io.gatehouse.api.ServerRoutes;
import io.gatehouse.api.SessionRoutes;
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
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hub.ChannelAccess;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.hub.IntrospectionRecheck;
import io.gatehouse.hub.RevocationWatcher;
import io.gatehouse.hub.TokenRevoker;
import io.gatehouse.limits.ClientAddress;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.MessageCodec;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.ApiKeyStore;
import io.gatehouse.store.Database;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.SessionStore;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.UserStore;
import io.gatehouse.transport.GatehouseServer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A running Gatehouse node: builds every service from the configuration, in dependency order,
 * and closes them in reverse.
 */
public final class Gatehouse implements AutoCloseable {
    /** Blocking tasks (database lookups) that may wait for a thread before new ones are refused. */
    static final int BLOCKING_QUEUE_LIMIT = 10_000;

    private final Node node;
    private final GatehouseServer server;
    private final PasswordHashingPool hashing;
    /** Null when introspection is off. */
    private final IntrospectionRecheck recheck;

    private Gatehouse(Node node, GatehouseServer server, PasswordHashingPool hashing, IntrospectionRecheck recheck) {
        this.node = node;
        this.server = server;
        this.hashing = hashing;
        this.recheck = recheck;
    }

    /**
     * Starts a node. {@code console} receives what an operator must see once (the bootstrap admin
     * password); it is never the log.
     */
    public static Gatehouse start(GatehouseConfig config, Clock clock, Consumer<String> console)
            throws InterruptedException {
        Database database = DataDirectory.openDatabase(config);
        ExecutorService blocking = null;
        PasswordHashingPool hashing = null;
        IntrospectionRecheck recheck = null;
        MemoryBroker broker = null;
        RevocationWatcher watcher = null;
        AccessLog accessLog = null;
        try {
            DataDirectory.bootstrapAdmin(database, console);
            int threads = Math.max(4, config.database().poolSize());
            // Bounded: past BLOCKING_QUEUE_LIMIT waiting tasks, work is refused with BACKEND_UNAVAILABLE
            // instead of queueing (and holding requests) without limit.
            blocking = new ThreadPoolExecutor(
                    threads,
                    threads,
                    0,
                    TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(BLOCKING_QUEUE_LIMIT),
                    daemonThreads("gatehouse-blocking"));
            byte[] secret = DataDirectory.hmacSecret(config);
            var jwt = config.auth().jwt();
            UserIds ids = UserIds.forConfig(config.auth());
            // A minted JWT lives at most auth.tokens.max_ttl: a removal older than that concerns none.
            UserNotBefore notBefore =
                    new UserNotBefore(config.auth().tokens().maxTtl().plus(jwt.clockSkew()));
            JwtVerifier jwtVerifier = JwtVerifier.forConfig(secret, jwt, clock, ids, notBefore);
            TokenStore tokens = new TokenStore(database);
            var opaque = new OpaqueTokenVerifier(tokens, blocking, clock);
            var introspection = config.auth().introspection();
            IntrospectionVerifier introspectionVerifier =
                    introspection.enabled() ? IntrospectionVerifier.forConfig(introspection, clock) : null;
            RevokedTokens revokedTokens = new RevokedTokens(clock);
            // Introspection goes last: it claims every token that is neither ght_ nor a JWT.
            var verifiers = new TokenVerifierChain(
                    introspectionVerifier != null
                            ? List.of(opaque, jwtVerifier, new IntrospectedIds(introspectionVerifier, ids))
                            : List.of(opaque, jwtVerifier),
                    revokedTokens);
            MessageCodec codec = new MessageCodec(new ObjectMapper());
            broker = new MemoryBroker(clock, config.channels()::retention);
            GatehouseMetrics metrics = new GatehouseMetrics();
            accessLog = AccessLog.start(database, config.accessLog(), metrics, clock);
            Hub hub = new Hub(broker, codec, metrics, config.channels());
            broker.start(hub);
            RevocationStore revocations = new RevocationStore(database);
            watcher = new RevocationWatcher(
                    revocations,
                    broker,
                    notBefore,
                    config.auth().tokens().maxTtl().plus(jwt.clockSkew()));
            // Argon2 gets threads of its own, so that a login flood cannot starve token lookups.
            hashing = new PasswordHashingPool(
                    PasswordHashingPool.defaultThreads(), config.limits().loginQueue());
            Sessions sessions = new Sessions(
                    new SessionStore(database),
                    new UserStore(database),
                    revocations,
                    tokens,
                    new PasswordHasher(),
                    hashing,
                    config.auth().session(),
                    clock);
            Node node = new Node(
                    config,
                    clock,
                    clock.instant(),
                    codec,
                    database,
                    broker,
                    hub,
                    new ChannelAccess(config.channels()),
                    new CredentialExtractor(
                            config.auth().allowQueryToken(),
                            config.auth().session().enabled()),
                    new OriginPolicy(
                            config.server().allowedOrigins(),
                            config.server().publicOrigin(),
                            new ClientAddress(config.server().trustedProxies())::isTrustedProxy),
                    new CredentialVerifier(verifiers, sessions, blocking),
                    sessions,
                    TokenIssuer.forConfig(tokens, secret, config, clock),
                    tokens,
                    watcher,
                    new ApiKeyVerifier(new ApiKeyStore(database), blocking),
                    accessLog,
                    metrics,
                    new RequestLimits(config, metrics),
                    new Lifecycle(),
                    blocking);
            HttpApi api = new HttpApi();
            new HealthRoutes(node).register(api);
            new UserRoutes(node).register(api);
            new SessionRoutes(node).register(api);
            new ServerRoutes(node).register(api);
            new AccessLogRoutes(node).register(api);
            new WellKnownRoutes(node).register(api);
            new CredentialRoutes(
                            node,
                            new TokenRevoker(
                                    tokens,
                                    jwtVerifier,
                                    introspectionVerifier,
                                    revokedTokens,
                                    watcher,
                                    hub,
                                    blocking,
                                    clock,
                                    introspection.recheckInterval()))
                    .register(api);
            GatehouseServer server = GatehouseServer.start(
                    node, api, config.server().host(), config.server().port());
            watcher.start();
            if (introspectionVerifier != null) {
                recheck = new IntrospectionRecheck(hub, introspectionVerifier, introspection.recheckInterval());
                recheck.start();
            }
            return new Gatehouse(node, server, hashing, recheck);
        } catch (RuntimeException | InterruptedException e) {
            if (recheck != null) {
                recheck.close();
            }
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
            throw e;
        }
    }

    public Node node() {
        return node;
    }

    public int port() {
        return server.port();
    }

    /** The base URL, {@code http://HOST:PORT}. */
    public String url() {
        String host = server.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
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
        node.accessLog().close();
        node.revocationWatcher().close();
        hashing.close();
        node.blocking().shutdown();
        try {
            node.blocking().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.broker().close();
        node.database().close();
    }

    private void drain() {
        node.lifecycle().beginShutdown();
        List<Connection> open = List.copyOf(node.hub().connections());
        if (open.isEmpty()) {
            return;
        }
        long windowMillis = node.config().shutdownDrain().toMillis();
        java.util.concurrent.ScheduledExecutorService closer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(daemonThreads("gatehouse-drain"));
        try {
            for (int i = 0; i < open.size(); i++) {
                Connection c = open.get(i);
                long at = windowMillis * i / open.size();
                // The closes are spread over the window already; half a window more of jitter keeps
                // every reconnect within 1.5 windows (+0.5 s) of the drain's start.
                long retryAfter =
                        500 + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, windowMillis / 2));
                closer.schedule(
                        () -> c.close(RefusalCode.SERVER_SHUTTING_DOWN.refusal().retryAfter(retryAfter)),
                        at,
                        TimeUnit.MILLISECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMillis + 3000);
            while (node.hub().connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the JVM is stopping: a plain wait is the point
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closer.shutdownNow();
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
