package io.gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --profile prod} refuses (SPEC §1): combinations that are convenient on a laptop and
 * unsafe on the internet. Reads only the typed configuration, so {@link ConfigLoader} can report
 * every problem at once, each with the key that fixes it.
 */
final class ProdProfile {

    /** One refused combination: the key to change, and why and how, in words for the operator. */
    record Problem(ConfigKey key, String text) {}

    // The sane maxima of the prod profile (docs/configuration.md, "Production profile").
    static final Duration MAX_SESSION_TTL = Duration.ofDays(30);
    static final Duration MAX_CSRF_MAX_AGE = Duration.ofHours(24);
    static final Duration MAX_TOKEN_TTL = Duration.ofDays(365);
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    static final Duration MAX_INTROSPECTION_CACHE_TTL = Duration.ofHours(1);
    static final Duration MAX_HEARTBEAT = Duration.ofMinutes(5);
    static final long MAX_OUTBOUND_BUFFER = 256L * 1024 * 1024;
    static final int MAX_CONNECTIONS_PER_USER = 10_000;
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(1);
    static final Duration MAX_IDLE_TIMEOUT = Duration.ofMinutes(10);
    static final int MAX_CONNECTIONS_PER_IP = 100_000;
    static final int MAX_SUBSCRIPTIONS_PER_CONNECTION = 10_000;

    private ProdProfile() {}

    /** Every problem of {@code config} under the prod profile, in SPEC order; empty when it may start. */
    static List<Problem> problems(GatehouseConfig config) {
        List<Problem> out = new ArrayList<>();
        GatehouseConfig.Auth auth = config.auth();
        GatehouseConfig.Server server = config.server();
        if (auth.jwt().secret().isEmpty() && auth.jwt().secrets().isEmpty()) {
            out.add(new Problem(
                    ConfigKey.AUTH_JWT_SECRET,
                    "empty, so a secret is generated into data_dir: it differs on every"
                            + " node and is lost with the directory; set it to at least 32 random bytes, the same on every node"
                            + " (e.g. openssl rand -base64 48)"));
        }
        // Wildcards never get this far: ConfigLoader refuses them in every profile.
        if (auth.session().enabled() && server.allowedOrigins().isEmpty()) {
            out.add(new Problem(
                    ConfigKey.SERVER_ALLOWED_ORIGINS,
                    "empty while cookie sessions are on: the server's own origin"
                            + " is then judged by the Host header alone, which a DNS-rebinding page can match; list the origins of"
                            + " your pages (e.g. https://app.example.com), or set auth.session.enabled: false if every client sends"
                            + " a token"));
        }
        if (auth.allowQueryToken()) {
            out.add(new Problem(
                    ConfigKey.AUTH_ALLOW_QUERY_TOKEN,
                    "true: a token in ?token= is written to proxy access logs"
                            + " and browser history; set it to false and send tokens in the Authorization header, the"
                            + " gatehouse.bearer.<token> subprotocol or the first auth message"));
        }
        if (auth.jwt().acceptsIssuerKeys()) {
            String keys = issuerKeySources(auth.jwt());
            if (auth.jwt().issuer().isEmpty()) {
                out.add(new Problem(
                        ConfigKey.AUTH_JWT_ISSUER,
                        "empty while " + keys + " is set: an RS256/ES256 token that"
                                + " another issuer signed with a key there would be accepted; set it to the iss your identity"
                                + " provider writes"));
            }
            if (auth.jwt().audience().isEmpty()) {
                out.add(new Problem(
                        ConfigKey.AUTH_JWT_AUDIENCE,
                        "empty while " + keys + " is set: a token your identity"
                                + " provider issued for another application would be accepted; set it to the aud your tokens carry"
                                + " for Gatehouse"));
            }
        }
        secret(out, ConfigKey.AUTH_JWT_SECRET, auth.jwt().secret());
        auth.jwt().secrets().forEach(s -> secret(out, ConfigKey.AUTH_JWT_SECRETS, s.secret()));
        if (auth.session().enabled()) {
            tooLong(out, ConfigKey.AUTH_SESSION_TTL, auth.session().ttl(), MAX_SESSION_TTL, "30d");
            tooLong(out, ConfigKey.AUTH_SESSION_CSRF_MAX_AGE, auth.session().csrfMaxAge(), MAX_CSRF_MAX_AGE, "24h");
        }
        tooLong(out, ConfigKey.AUTH_TOKENS_MAX_TTL, auth.tokens().maxTtl(), MAX_TOKEN_TTL, "365d");
        tooLong(out, ConfigKey.AUTH_JWT_CLOCK_SKEW, auth.jwt().clockSkew(), MAX_CLOCK_SKEW, "5m");
        if (auth.introspection().enabled()) {
            tooLong(
                    out,
                    ConfigKey.AUTH_INTROSPECTION_CACHE_TTL,
                    auth.introspection().cacheTtl(),
                    MAX_INTROSPECTION_CACHE_TTL,
                    "1h");
        }
        tooLong(out, ConfigKey.HEARTBEAT_INTERVAL, config.heartbeat().interval(), MAX_HEARTBEAT, "5m");
        tooLong(out, ConfigKey.HEARTBEAT_TIMEOUT, config.heartbeat().timeout(), MAX_HEARTBEAT, "5m");
        tooMany(
                out,
                ConfigKey.LIMITS_OUTBOUND_BUFFER,
                config.limits().outboundBufferBytes(),
                MAX_OUTBOUND_BUFFER,
                "256MiB",
                "a few slow clients could hold the heap");
        tooMany(
                out,
                ConfigKey.LIMITS_CONNECTIONS_PER_USER,
                config.limits().connectionsPerUser(),
                MAX_CONNECTIONS_PER_USER,
                "10000",
                "one leaked credential could hold the node's sockets");
        tooLong(out, ConfigKey.SERVER_REQUEST_TIMEOUT, server.requestTimeout(), MAX_REQUEST_TIMEOUT, "1m");
        tooLong(out, ConfigKey.SERVER_IDLE_TIMEOUT, server.idleTimeout(), MAX_IDLE_TIMEOUT, "10m");
        tooMany(
                out,
                ConfigKey.LIMITS_CONNECTIONS_PER_IP,
                config.limits().connectionsPerIp(),
                MAX_CONNECTIONS_PER_IP,
                "100000",
                "one host could take the process's file descriptors");
        tooMany(
                out,
                ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION,
                config.limits().subscriptionsPerConnection(),
                MAX_SUBSCRIPTIONS_PER_CONNECTION,
                "10000",
                "one connection could hold that many subscriptions and presence entries");
        for (String cidr : server.trustedProxies()) {
            if (Cidr.parse(cidr).prefixBits() == 0) {
                out.add(new Problem(
                        ConfigKey.SERVER_TRUSTED_PROXIES,
                        "'" + cidr + "' trusts every address, so any"
                                + " client could set its own X-Forwarded-For and Forwarded headers and escape every per-IP"
                                + " limit; list only your proxies' addresses (e.g. 10.0.0.0/8)"));
            }
        }
        boolean tls = server.tlsInFront();
        if (tls) {
            for (String origin : server.allowedOrigins()) {
                if (origin.startsWith("http://")
                        && !isLoopback(java.net.URI.create(origin).getHost())) {
                    out.add(new Problem(
                            ConfigKey.SERVER_ALLOWED_ORIGINS,
                            "'" + origin + "' is plain http while TLS is"
                                    + " on: a page from it can be changed by anyone on its network; use its https:// origin"
                                    + " (http:// is kept for localhost and 127.0.0.1 only)"));
                }
            }
        }
        String metricsToken = config.metrics().token();
        if (metricsToken.isEmpty() && !isLoopback(server.host())) {
            out.add(new Problem(
                    ConfigKey.METRICS_TOKEN,
                    "empty while server.host is " + server.host() + ": anyone who"
                            + " reaches the port reads /metrics (user and connection counts, traffic); set it to at least 32"
                            + " random bytes and give your Prometheus authorization: {credentials: <it>}"));
        }
        secret(out, ConfigKey.METRICS_TOKEN, metricsToken);
        secret(out, ConfigKey.HOOKS_SECRET, config.hooks().secret());
        if (!config.proxy().secrets().isEmpty()) {
            secret(
                    out,
                    ConfigKey.CHANNELS_PROXY_SECRET,
                    config.proxy().secrets().get(0));
        }
        if (!tls && auth.session().enabled() && auth.session().sameSite() == GatehouseConfig.SameSite.NONE) {
            out.add(
                    new Problem(
                            ConfigKey.AUTH_SESSION_SAME_SITE,
                            "none without TLS in front: browsers drop a SameSite=None cookie"
                                    + " that is not Secure, and a session cookie that any site's page may send needs TLS; put a"
                                    + " TLS-terminating proxy in front and list it in server.trusted_proxies (or set"
                                    + " server.tls_terminated_upstream: true), or keep lax and use tokens for cross-site pages"));
        }
        if (!tls) {
            out.add(new Problem(
                    ConfigKey.SERVER_TRUSTED_PROXIES,
                    "empty and server.tls_terminated_upstream is false:"
                            + " Gatehouse does not speak TLS, so tokens, passwords and cookies would cross the network in clear;"
                            + " put a TLS-terminating proxy in front and list its addresses here (e.g. 10.0.0.0/8), or set"
                            + " server.tls_terminated_upstream: true if TLS ends at a load balancer whose forwarded addresses"
                            + " are not to be believed"));
        }
        return out;
    }

    /** A configured secret that is short or patterned; an empty one is reported elsewhere, or allowed. */
    private static void secret(List<Problem> out, ConfigKey key, String value) {
        if (value.isEmpty()) {
            return;
        }
        String weakness = SecretStrength.weakness(value);
        if (weakness != null) {
            out.add(new Problem(
                    key,
                    "weak: " + weakness + "; set it to at least 32 random bytes" + " (e.g. openssl rand -base64 48)"));
        }
    }

    /** A limit above its sane maximum: what it risks, and the key's default as the way back. */
    private static void tooMany(List<Problem> out, ConfigKey key, long value, long max, String maxText, String risk) {
        if (value > max) {
            out.add(new Problem(
                    key,
                    "more than " + maxText + ": " + risk + "; keep it at most " + maxText + " (the default is "
                            + key.defaultValue() + ")"));
        }
    }

    private static void tooLong(List<Problem> out, ConfigKey key, Duration value, Duration max, String maxText) {
        if (value.compareTo(max) > 0) {
            out.add(new Problem(
                    key,
                    "longer than " + maxText + ", the most the prod profile allows; a leaked or"
                            + " stale credential, or a dead peer, would last that long; shorten it to at most "
                            + maxText));
        }
    }

    /** Whether {@code host} names this machine only: localhost, 127.0.0.0/8 or ::1. */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost")
                || h.startsWith("127.")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    private static String issuerKeySources(GatehouseConfig.Jwt jwt) {
        if (!jwt.publicKeys().isEmpty() && !jwt.jwksUrl().isEmpty()) {
            return ConfigKey.AUTH_JWT_PUBLIC_KEYS.key() + " or " + ConfigKey.AUTH_JWT_JWKS_URL.key();
        }
        return jwt.publicKeys().isEmpty() ? ConfigKey.AUTH_JWT_JWKS_URL.key() : ConfigKey.AUTH_JWT_PUBLIC_KEYS.key();
    }
}
