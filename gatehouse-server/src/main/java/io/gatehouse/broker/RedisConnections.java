package io.gatehouse.broker;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RedisBroker}'s link to Redis: one {@link ClientResources} (Lettuce's event loops and
 * timers, on the project's Netty) shared by one client with two connections, one for commands and
 * one for pub/sub. Lettuce reconnects both by itself; while a connection is down its commands are
 * refused at once rather than queued, so a caller learns it instead of waiting.
 */
final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

    /** How long a command (or the initial connect) may take before its stage fails. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** Close lets Lettuce's threads finish what they are doing for this long, at most {@link #CLOSE_WAIT}. */
    private static final Duration CLOSE_QUIET = Duration.ofMillis(100);

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    private final ClientResources resources;
    private final RedisClient client;
    private final String address;
    final StatefulRedisConnection<String, String> commands;
    final StatefulRedisPubSubConnection<String, String> pubSub;

    private RedisConnections(
            ClientResources resources,
            RedisClient client,
            String address,
            StatefulRedisConnection<String, String> commands,
            StatefulRedisPubSubConnection<String, String> pubSub) {
        this.resources = resources;
        this.client = client;
        this.address = address;
        this.commands = commands;
        this.pubSub = pubSub;
    }

    /**
     * Connects to the Redis at {@code url} ({@code redis://[user:password@]host:port[/db]}), waiting
     * up to {@link #COMMAND_TIMEOUT} per connection; fails if it cannot be reached. Both connections
     * are named {@code clientName} in Redis's CLIENT LIST. The URL is never put in a message: it may
     * hold a password.
     */
    static RedisConnections open(String url, String clientName) {
        RedisURI uri = uri(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        uri.setClientName(clientName);
        ClientResources resources = DefaultClientResources.create();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect(StringCodec.UTF8);
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8);
            return new RedisConnections(resources, client, address(uri), commands, pubSub);
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            shutDown(client, resources);
            throw new BrokerUnreachableException(address(uri) + " cannot be reached", e);
        }
    }

    /** {@code broker.url redis://HOST:PORT/DB}, for messages: without the user and password. */
    String address() {
        return address;
    }

    /** As {@link #address()}, for the Redis at {@code url}, before (or without) connecting to it. */
    static String address(String url) {
        return address(uri(url));
    }

    /** {@code url} parsed; an IllegalArgumentException that does not quote it (it may hold a password) if it is no Redis URL. */
    private static RedisURI uri(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "broker.url is not a Redis URL; write redis://[user:password@]host:port[/db]");
        }
    }

    private static String address(RedisURI uri) {
        return "broker.url " + (uri.isSsl() ? "rediss" : "redis") + "://" + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }

    /** Both connections are up (not closed, not reconnecting). */
    boolean isOpen() {
        return commands.isOpen() && pubSub.isOpen();
    }

    /**
     * Closes both connections (the client closes what it opened) and shuts Lettuce's threads down
     * gracefully, waiting for them (bounded) unless called on one of them.
     */
    @Override
    public void close() {
        shutDown(client, resources);
    }

    private static void shutDown(RedisClient client, ClientResources resources) {
        long quiet = CLOSE_QUIET.toMillis();
        long wait = CLOSE_WAIT.toMillis();
        if (Thread.currentThread().getName().startsWith("lettuce-")) {
            // Waiting here would wait for this very thread to end.
            client.shutdownAsync(quiet, wait, TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> resources.shutdown(quiet, wait, TimeUnit.MILLISECONDS));
            return;
        }
        try {
            client.shutdown(CLOSE_QUIET, CLOSE_WAIT);
            resources.shutdown(quiet, wait, TimeUnit.MILLISECONDS).get(2 * wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Lettuce did not shut down within {} ms: {}", wait, e.toString());
        }
    }
}
