package io.gatehouse.config;

import java.util.Locale;

/**
 * Every fixed configuration key, with its type and default (docs/configuration.md lists the
 * same table). Namespace keys ({@code channels.namespaces.NAME.*}) are {@link NamespaceKey}s.
 */
public enum ConfigKey {
    DATA_DIR(
            "data_dir", ValueType.PATH, "./gatehouse-data", "directory for the embedded database and generated secret"),
    SERVER_HOST("server.host", ValueType.STRING, "127.0.0.1", "address to listen on"),
    SERVER_PORT("server.port", ValueType.PORT, "8080", "port to listen on; 0 picks a free port"),
    SERVER_TRUSTED_PROXIES(
            "server.trusted_proxies",
            ValueType.STRING_LIST,
            "",
            "CIDRs of proxies whose X-Forwarded-For / Forwarded headers are believed, e.g. 10.0.0.0/8"),
    SERVER_ALLOWED_ORIGINS(
            "server.allowed_origins",
            ValueType.STRING_LIST,
            "",
            "browser origins allowed besides the server's own, e.g. https://app.example.com"),
    SERVER_REQUEST_TIMEOUT(
            "server.request_timeout",
            ValueType.DURATION,
            "10s",
            "time a client has to send a whole HTTP request (headers and body, upgrades included) from its first byte, and a new connection to send its first request"),
    SERVER_IDLE_TIMEOUT(
            "server.idle_timeout",
            ValueType.DURATION,
            "60s",
            "how long a kept-alive HTTP connection may wait for its next request"),
    SERVER_PUBLIC_URL(
            "server.public_url",
            ValueType.STRING,
            "",
            "the external URL browsers use, e.g. https://app.example.com; when set it alone is the server's own origin (Host and X-Forwarded-Host are then not read)"),
    SERVER_TLS_TERMINATED_UPSTREAM(
            "server.tls_terminated_upstream",
            ValueType.BOOLEAN,
            "false",
            "true when TLS ends in front of Gatehouse at a proxy or load balancer not listed in server.trusted_proxies; read by --profile prod"),
    DATABASE_URL("database.url", ValueType.STRING, "", "JDBC URL; empty means the embedded H2 file under data_dir"),
    DATABASE_USERNAME("database.username", ValueType.STRING, "", "database user"),
    DATABASE_PASSWORD("database.password", ValueType.STRING, "", "database password"),
    DATABASE_POOL_SIZE("database.pool_size", ValueType.POSITIVE_INT, "10", "connections in the database pool"),
    BROKER_URL(
            "broker.url",
            ValueType.STRING,
            GatehouseConfig.Broker.MEMORY_URL,
            "memory: for one node; redis://[:PASSWORD@]HOST[:PORT][/DB] (rediss:// for TLS) for several nodes sharing one Redis (docs/redis.md)"),
    BROKER_PREFIX(
            "broker.prefix",
            ValueType.STRING,
            "gatehouse:",
            "start of every Redis key and pub/sub channel: the nodes with the same broker.url and broker.prefix are one deployment; 1-64 of A-Z a-z 0-9 _ - . :"),
    PRESENCE_NODE_TTL(
            "presence.node_ttl",
            ValueType.DURATION,
            "30s",
            "with a Redis broker: how long after its last heartbeat (one every third of it) a node that stopped, such as one killed, still counts: then its clients leave every presence and their leaves are announced; at least 1s"),
    AUTH_ALLOW_QUERY_TOKEN("auth.allow_query_token", ValueType.BOOLEAN, "true", "accept ?token= on the WebSocket URL"),
    AUTH_TIMEOUT(
            "auth.timeout",
            ValueType.DURATION,
            "5s",
            "time for the first auth message when no credential came with the upgrade"),
    AUTH_EXPIRY_WARNING(
            "auth.expiry_warning",
            ValueType.DURATION,
            "60s",
            "how long before its credential expires a connection gets token_expiring"),
    AUTH_PRIMARY_SOURCE(
            "auth.primary_source",
            ValueType.STRING,
            "jwt",
            "jwt or introspection: the application's identity source, whose user ids are kept as sent; other sources get prefixed ids (docs/protocol.md)"),
    AUTH_JWT_SECRET(
            "auth.jwt.secret",
            ValueType.STRING,
            "",
            "HS256 secret (at least 32 bytes); empty generates one into data_dir"),
    AUTH_JWT_SECRETS(
            "auth.jwt.secrets",
            ValueType.STRING_LIST,
            "",
            "HS256 secrets with key ids, KID=SECRET, newest first, instead of auth.jwt.secret: the first signs (its kid in the JWT header), every one verifies until removed; for rotating the secret without downtime"),
    AUTH_JWT_PUBLIC_KEYS(
            "auth.jwt.public_keys",
            ValueType.STRING_LIST,
            "",
            "PEM public keys (inline or file paths) for RS256/ES256"),
    AUTH_JWT_ALGORITHMS(
            "auth.jwt.algorithms",
            ValueType.STRING_LIST,
            "HS256, RS256, ES256",
            "JWT signature algorithms accepted, of HS256, RS256 and ES256; leave HS256 out when every token is signed with an issuer's RS256/ES256 key"),
    AUTH_JWT_ISSUER(
            "auth.jwt.issuer",
            ValueType.STRING,
            "",
            "required iss claim of the application's JWTs, if set (besides auth.jwt.other_issuers and Gatehouse's own, gatehouse)"),
    AUTH_JWT_OTHER_ISSUERS(
            "auth.jwt.other_issuers",
            ValueType.STRING_LIST,
            "",
            "further accepted issuers as NAME=ISSUER (the iss value), each its own id namespace: user ids jwt:NAME:SUB"),
    AUTH_JWT_AUDIENCE("auth.jwt.audience", ValueType.STRING, "", "required aud claim, if set"),
    AUTH_JWT_CLOCK_SKEW("auth.jwt.clock_skew", ValueType.DURATION, "30s", "allowance for exp and nbf"),
    AUTH_JWT_JWKS_URL("auth.jwt.jwks_url", ValueType.STRING, "", "JWKS URL of the token issuer, for RS256/ES256 keys"),
    AUTH_JWT_JWKS_CACHE_TTL(
            "auth.jwt.jwks_cache_ttl",
            ValueType.DURATION,
            "5m",
            "how long fetched JWKS keys are used before a refetch"),
    AUTH_JWT_SIGNING_KEY(
            "auth.jwt.signing_key",
            ValueType.STRING,
            "",
            "PEM private key (inline or file path) the server signs its JWTs with (RS256/ES256); published at /.well-known/jwks.json"),
    AUTH_SESSION_ENABLED(
            "auth.session.enabled",
            ValueType.BOOLEAN,
            "true",
            "cookie sessions (login, the gh_session cookie); false for a deployment whose clients use tokens only"),
    AUTH_SESSION_TTL("auth.session.ttl", ValueType.DURATION, "24h", "lifetime of a cookie session; refresh extends it"),
    AUTH_SESSION_CSRF_MAX_AGE(
            "auth.session.csrf_max_age", ValueType.DURATION, "30m", "age after which a CSRF token is stale"),
    AUTH_SESSION_SAME_SITE(
            "auth.session.same_site",
            ValueType.STRING,
            "lax",
            "SameSite of the gh_session and gh_csrf cookies: lax, strict, or none (then always Secure: for a page on another site, over TLS only)"),
    AUTH_INTROSPECTION_URL(
            "auth.introspection.url",
            ValueType.STRING,
            "",
            "application endpoint that vouches for other tokens; empty turns introspection off"),
    AUTH_INTROSPECTION_SCHEME(
            "auth.introspection.scheme",
            ValueType.STRING,
            "Bearer",
            "Authorization scheme sent to it: Bearer, or Token as DRF/Knox use"),
    AUTH_INTROSPECTION_ID_FIELD(
            "auth.introspection.id_field", ValueType.STRING, "id", "field of its JSON answer that holds the user id"),
    AUTH_INTROSPECTION_CACHE_TTL(
            "auth.introspection.cache_ttl", ValueType.DURATION, "30s", "how long an accepted answer is reused"),
    AUTH_INTROSPECTION_NEGATIVE_CACHE_TTL(
            "auth.introspection.negative_cache_ttl", ValueType.DURATION, "5s", "how long a refusal is reused"),
    AUTH_INTROSPECTION_TIMEOUT(
            "auth.introspection.timeout",
            ValueType.DURATION,
            "3s",
            "time the backend has to answer before BACKEND_UNAVAILABLE"),
    AUTH_INTROSPECTION_RECHECK_INTERVAL(
            "auth.introspection.recheck_interval",
            ValueType.DURATION,
            "5m",
            "how often each open connection's introspected token is asked about again (jittered); a 401/403 closes it with TOKEN_REVOKED"),
    AUTH_TOKENS_DEFAULT_TTL(
            "auth.tokens.default_ttl", ValueType.DURATION, "1h", "lifetime of a minted token when none is asked for"),
    AUTH_TOKENS_MAX_TTL("auth.tokens.max_ttl", ValueType.DURATION, "30d", "longest lifetime a minted token may have"),
    HEARTBEAT_INTERVAL("heartbeat.interval", ValueType.DURATION, "25s", "protocol ping period"),
    HEARTBEAT_TIMEOUT("heartbeat.timeout", ValueType.DURATION, "10s", "grace after a missed interval before closing"),
    LIMITS_MAX_MESSAGE_BYTES("limits.max_message_bytes", ValueType.SIZE, "64KiB", "largest client message"),
    LIMITS_UPGRADES_PER_IP(
            "limits.upgrades_per_ip",
            ValueType.RATE,
            "{rate: 10, burst: 20}",
            "WebSocket upgrades per client IP that are not accepted: each attempt takes a token, an accepted one gives it back"),
    LIMITS_UPGRADES_PER_CREDENTIAL(
            "limits.upgrades_per_credential",
            ValueType.RATE,
            "{rate: 2, burst: 20}",
            "WebSocket upgrades per token or session, accepted or not"),
    LIMITS_CONNECTIONS_PER_IP(
            "limits.connections_per_ip",
            ValueType.POSITIVE_INT,
            "1000",
            "open TCP connections per client IP on a node (behind trusted proxies: WebSocket connections per resolved client IP); with a Redis broker also authenticated WebSocket connections across all nodes"),
    LIMITS_AUTH_FAILURES_PER_IP(
            "limits.auth_failures_per_ip",
            ValueType.RATE,
            "{rate: 0.2, burst: 20}",
            "refused credentials per client IP before it is slowed down"),
    LIMITS_LOGIN_FAILURES_PER_ACCOUNT(
            "limits.login_failures_per_account",
            ValueType.RATE,
            "{rate: 0.1, burst: 10}",
            "failed logins per user name, from any IP, before its logins get 429; refills, so it slows guessing without locking the user out"),
    LIMITS_LOGIN_QUEUE(
            "limits.login_queue",
            ValueType.POSITIVE_INT,
            "32",
            "logins waiting for a password-hashing thread (there are max(1, cores/2)) before more get 503 BACKEND_UNAVAILABLE"),
    LIMITS_MESSAGES_PER_CONNECTION(
            "limits.messages_per_connection",
            ValueType.RATE,
            "{rate: 100, burst: 200}",
            "client messages per connection"),
    LIMITS_SUBSCRIPTIONS_PER_CONNECTION(
            "limits.subscriptions_per_connection",
            ValueType.POSITIVE_INT,
            "256",
            "channels one connection may be subscribed to, its personal channel included"),
    LIMITS_CONNECTIONS_PER_USER(
            "limits.connections_per_user",
            ValueType.POSITIVE_INT,
            "100",
            "live connections one user may hold (across all nodes with a Redis broker)"),
    LIMITS_OUTBOUND_BUFFER(
            "limits.outbound_buffer",
            ValueType.SIZE,
            "4MiB",
            "bytes queued for one slow client before it is closed with 4508"),
    METRICS_TOKEN(
            "metrics.token",
            ValueType.STRING,
            "",
            "when set, GET /metrics requires Authorization: Bearer <metrics.token>; --profile prod requires it when server.host is not loopback"),
    ACCESS_LOG_RETENTION("access_log.retention", ValueType.DURATION, "30d", "how long access-log rows are kept"),
    ACCESS_LOG_BUFFER(
            "access_log.buffer",
            ValueType.POSITIVE_INT,
            "10000",
            "access-log records held while the database is slow; more are dropped and counted"),
    TASKS_PUSH_INTERVAL(
            "tasks.push_interval",
            ValueType.DURATION,
            "100ms",
            "task progress faster than this is coalesced per task (the last update always arrives) and written to the database at most once per interval"),
    TASKS_RETENTION(
            "tasks.retention",
            ValueType.DURATION,
            "30d",
            "how long finished tasks stay queryable before they are pruned"),
    DASHBOARD_STATS_INTERVAL(
            "dashboard.stats_interval",
            ValueType.DURATION,
            "1s",
            "how often the node samples its statistics (the last 900 samples are kept) and sends stats_update to admins subscribed to gatehouse:stats; at least 100ms"),
    HOOKS_URL(
            "hooks.url",
            ValueType.STRING,
            "",
            "http(s) URL of the application endpoint that receives webhook events (docs/webhooks.md); empty turns webhooks off"),
    HOOKS_SECRET(
            "hooks.secret",
            ValueType.STRING,
            "",
            "HMAC-SHA256 key of the Gatehouse-Signature header; required when hooks.url is set (at least 32 bytes)"),
    HOOKS_EVENTS(
            "hooks.events",
            ValueType.STRING_LIST,
            "",
            "event types to send, e.g. connection.opened, token.revoked; empty sends every type"),
    HOOKS_MAX_ATTEMPTS(
            "hooks.max_attempts",
            ValueType.POSITIVE_INT,
            "20",
            "attempts per event before it is kept as dead (GET /api/v1/hooks/dead)"),
    HOOKS_MAX_QUEUE(
            "hooks.max_queue",
            ValueType.POSITIVE_INT,
            "100000",
            "pending events past which connection.* and presence.* events are dropped and counted; task.* and token.revoked never are"),
    HOOKS_TIMEOUT("hooks.timeout", ValueType.DURATION, "5s", "time the endpoint has to answer one delivery"),
    HOOKS_RETRY_BASE(
            "hooks.retry_base",
            ValueType.DURATION,
            "1s",
            "first retry delay; each retry waits a random time up to retry_base * 2^(attempts-1), at most hooks.retry_cap"),
    HOOKS_RETRY_CAP("hooks.retry_cap", ValueType.DURATION, "10m", "longest wait between two attempts (at most 10m)"),
    HOOKS_PREVIOUS_SECRETS(
            "hooks.previous_secrets",
            ValueType.STRING_LIST,
            "",
            "secrets being rotated out: each event is also signed with each of them (one more v1= in Gatehouse-Signature) until the receiver knows hooks.secret"),
    CHANNELS_PROXY_URL(
            "channels.proxy.url",
            ValueType.STRING,
            "",
            "http(s) URL of the application endpoint that decides subscriptions and client publishes in namespaces with subscribe: proxy or publish: proxy (docs/integrations.md); empty turns the proxy off"),
    CHANNELS_PROXY_SECRET(
            "channels.proxy.secret",
            ValueType.STRING,
            "",
            "HMAC-SHA256 key of the Gatehouse-Signature header of each proxy call; required when channels.proxy.url is set (at least 32 bytes)"),
    CHANNELS_PROXY_PREVIOUS_SECRETS(
            "channels.proxy.previous_secrets",
            ValueType.STRING_LIST,
            "",
            "proxy secrets being rotated out: each call is also signed with each of them until the application knows channels.proxy.secret"),
    CHANNELS_PROXY_TIMEOUT(
            "channels.proxy.timeout",
            ValueType.DURATION,
            "3s",
            "time the endpoint has to answer; later, the subscribe or publish gets BACKEND_UNAVAILABLE"),
    CHANNELS_PROXY_CACHE_TTL(
            "channels.proxy.cache_ttl",
            ValueType.DURATION,
            "30s",
            "how long a subscribe decision is reused for the same user and channel (at most until its expires_at); 0 asks every time"),
    CHANNELS_PROXY_RECHECK_INTERVAL(
            "channels.proxy.recheck_interval",
            ValueType.DURATION,
            "5m",
            "how often each open proxied subscription is asked about again (jittered), besides when its allow expires; a deny ends it with unsubscribed PERMISSION_DENIED"),
    PUBLISH_IDEMPOTENCY_WINDOW(
            "publish.idempotency_window",
            ValueType.DURATION,
            "5m",
            "how long POST publish and broadcast remember an idempotency_key: a repeat within it gets the first answer and publishes nothing (across nodes with a Redis broker)"),
    SHUTDOWN_DRAIN(
            "shutdown.drain",
            ValueType.DURATION,
            "10s",
            "window over which connections are closed with 1012 on shutdown"),
    LOG_FORMAT("log.format", ValueType.STRING, "text", "text or json"),
    PROFILE("profile", ValueType.STRING, "dev", "dev, or prod to refuse unsafe combinations at start"),
    LIMITS_DUPLICATE_SESSION_POLICY(
            "limits.duplicate_session_policy",
            ValueType.STRING,
            "replace",
            "a second connection of the same client instance (session or token, and instance id): replace (the older gets 4409), reject, or allow");

    private final String key;
    private final ValueType type;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, ValueType type, String defaultValue, String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The dotted name used in YAML and in error messages. */
    public String key() {
        return key;
    }

    public ValueType type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The environment form: upper case, dots and dashes become {@code _}, prefixed {@code GATEHOUSE_}. */
    public String envName() {
        return envName(key);
    }

    public static String envName(String dottedKey) {
        return "GATEHOUSE_"
                + dottedKey.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static java.util.Optional<ConfigKey> byKey(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }
}
