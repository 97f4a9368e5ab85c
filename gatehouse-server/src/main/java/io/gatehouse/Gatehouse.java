package io.gatehouse;

import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.auth.PasswordHashingPool;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hooks.WebhookEvents;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.proxy.ChannelProxy;
import io.gatehouse.revocation.IntrospectionRecheck;
import io.gatehouse.revocation.RevocationWatcher;
import io.gatehouse.stats.NodeStats;
import io.gatehouse.store.Database;
import io.gatehouse.tasks.Tasks;
import io.gatehouse.transport.GatehouseServer;
import io.gatehouse.transport.HttpEndpoint;
import io.gatehouse.transport.Lifecycle;
import io.gatehouse.transport.WebSocketEndpoint;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running Gatehouse node: {@link #start} has its {@link Parts} built from the configuration (the
 * one place the parts are wired, each handed the parts it uses), starts the server and the
 * watchers; {@link #close} stops them in reverse. Nothing else holds the whole node.
 */
public final class Gatehouse implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Gatehouse.class);

    private final GatehouseConfig config;
    private final Database database;
    private final ExecutorService blocking;
    private final PasswordHashingPool hashing;
    private final Broker broker;
    private final AccessLog accessLog;
    private final WebhookEvents hooks;
    private final Hub hub;
    private final RevocationWatcher watcher;
    private final Tasks tasks;
    private final NodeStats stats;
    /** Null when introspection is off. */
    private final IntrospectionRecheck recheck;
    /** Null when channels.proxy.url is empty. */
    private final ChannelProxy proxy;

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
        this.hooks = parts.hooks;
        this.proxy = parts.proxy;
        this.hub = parts.hub;
        this.watcher = parts.watcher;
        this.tasks = parts.tasks;
        this.stats = parts.stats;
        this.recheck = recheck;
        this.limits = parts.limits;
        this.tokenIssuer = parts.tokenIssuer;
        this.lifecycle = parts.lifecycle;
        this.http = parts.http;
        this.webSocket = parts.webSocket;
        this.server = server;
    }

    /**
     * Starts a node. {@code console} receives what an operator must see once (the bootstrap admin
     * password); it is never the log.
     */
    public static Gatehouse start(GatehouseConfig config, Clock clock, Consumer<String> console)
            throws InterruptedException {
        warnAboutInsecureCookies(config);
        Parts parts = new Parts(config, DataDirectory.openDatabase(config));
        IntrospectionRecheck recheck = null;
        try {
            // The broker first: a node whose Redis cannot be reached creates no admin, shows no password.
            parts.connectBroker(clock);
            DataDirectory.bootstrapAdmin(parts.database, console);
            parts.build(clock);
            if (!config.broker().inMemory()) {
                // Which deployment this node joined: the URL without its password, and the prefix.
                LOG.info(
                        "broker: Redis at {} under key prefix {}",
                        config.broker().shownUrl(),
                        config.broker().keyPrefix());
            }
            GatehouseServer server = GatehouseServer.start(parts.http, parts.webSocket);
            parts.watcher.start();
            parts.tasks.start();
            parts.stats.start(address(server.host(), server.port()));
            if (parts.introspection != null) {
                recheck = new IntrospectionRecheck(
                        parts.hub,
                        parts.introspection,
                        config.auth().introspection().recheckInterval());
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

    /**
     * {@code auth.session.same_site: none} makes the session cookies Secure, which browsers keep
     * only from https pages: without TLS in front (Gatehouse has none of its own) logins seem to
     * work and no cookie comes back. The prod profile refuses it; other profiles are told.
     */
    private static void warnAboutInsecureCookies(GatehouseConfig config) {
        GatehouseConfig.Session session = config.auth().session();
        if (session.enabled()
                && session.sameSite() == GatehouseConfig.SameSite.NONE
                && !config.server().tlsInFront()) {
            LOG.warn("auth.session.same_site is none but no TLS is in front (server.trusted_proxies is empty and"
                    + " server.tls_terminated_upstream is false): the cookies are Secure and SameSite=None, which"
                    + " browsers keep only over https; put a TLS-terminating proxy in front and list it in"
                    + " server.trusted_proxies, or set auth.session.same_site: lax");
        }
    }

    public int port() {
        return server.port();
    }

    /** The base URL, {@code http://HOST:PORT}. */
    public String url() {
        return "http://" + address(server.host(), port());
    }

    /** {@code HOST:PORT}, an IPv6 host in brackets. */
    static String address(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
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

    /** Where events for the application's webhook endpoint are raised (docs/webhooks.md). */
    public WebhookEvents hooks() {
        return hooks;
    }

    public RequestLimits limits() {
        return limits;
    }

    public TokenIssuer tokenIssuer() {
        return tokenIssuer;
    }

    public Tasks tasks() {
        return tasks;
    }

    /** The node's live statistics, as get_stats and gatehouse:stats carry them. */
    public NodeStats stats() {
        return stats;
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
        stats.close();
        drain();
        server.close();
        // The API calls under way end before what they use stops: a progress call answered 200
        // is then held back in tasks and written below, a revocation's event is in the outbox.
        blocking.shutdown();
        try {
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tasks.close(); // writes the progress still held back
        accessLog.close();
        hooks.close(); // after the server: the closes of the drained connections are written first
        if (proxy != null) {
            proxy.close();
        }
        watcher.close();
        hashing.close();
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
        return io.gatehouse.concurrent.Threads.daemon(name);
    }
}
