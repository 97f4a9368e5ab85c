package io.gatehouse.config;

import io.gatehouse.broker.RedisBroker;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code broker.*} keys, read and checked together: {@code broker.url} is {@code memory:} or a
 * Redis URL the Redis broker can use, {@code broker.prefix} a key prefix it accepts; with them
 * {@code presence.node_ttl}, the Redis broker's node heartbeat. Each error
 * names its key; none shows the password a Redis URL may hold.
 */
final class BrokerSettings {
    private static final String EXPECTED =
            "expected memory: (one node) or redis://HOST[:PORT][/DB] (several nodes; rediss:// for TLS,"
                    + " :PASSWORD@ before HOST when Redis wants one)";

    /** A Redis database number: Lettuce reads it as an int. */
    private static final Pattern DATABASE = Pattern.compile("/(\\d{1,9})?");

    /** A node beats every third of presence.node_ttl; below a second a pause of the JVM would take it for dead. */
    private static final Duration MIN_NODE_TTL = Duration.ofSeconds(1);

    private BrokerSettings() {}

    static GatehouseConfig.Broker read(Settings settings) {
        String url = settings.string(ConfigKey.BROKER_URL);
        if (!url.equals(GatehouseConfig.Broker.MEMORY_URL)) {
            checkRedisUrl(settings, url);
        }
        String prefix = settings.string(ConfigKey.BROKER_PREFIX);
        if (!RedisBroker.isKeyPrefix(prefix)) {
            throw settings.invalid(
                    ConfigKey.BROKER_PREFIX.key(),
                    prefix,
                    "expected 1 to 64 of A-Z a-z 0-9 _ - . : (no glob character), such as gatehouse:");
        }
        Duration nodeTtl = settings.duration(ConfigKey.PRESENCE_NODE_TTL);
        if (nodeTtl.compareTo(MIN_NODE_TTL) < 0) {
            throw settings.invalid(
                    ConfigKey.PRESENCE_NODE_TTL.key(),
                    nodeTtl.toString(),
                    "must be at least 1s: a node beats every third of it");
        }
        return new GatehouseConfig.Broker(url, prefix, nodeTtl);
    }

    private static void checkRedisUrl(Settings settings, String url) {
        String key = ConfigKey.BROKER_URL.key();
        String shown = withoutPassword(url);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw settings.invalid(key, shown, EXPECTED);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw settings.invalid(
                    key, shown, "unsupported scheme " + (scheme == null ? "(none)" : scheme + ":") + "; " + EXPECTED);
        }
        if (uri.getHost() == null || uri.getPort() == 0) {
            throw settings.invalid(key, shown, "no host, or port 0; " + EXPECTED);
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !DATABASE.matcher(path).matches()) {
            throw settings.invalid(key, shown, "after HOST:PORT only /DB, a database number, may follow; " + EXPECTED);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw settings.invalid(key, shown, "settings after ? or # are not read; " + EXPECTED);
        }
    }

    /** {@code url} with whatever stands before an {@code @} (a user and password) replaced by {@code ***}. */
    static String withoutPassword(String url) {
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int start = url.indexOf("://");
        return (start >= 0 && start < at ? url.substring(0, start + 3) : "") + "***@" + url.substring(at + 1);
    }
}
