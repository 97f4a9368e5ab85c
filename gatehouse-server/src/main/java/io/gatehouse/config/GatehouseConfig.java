package io.gatehouse.config;

import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole configuration, typed and validated once at start. */
public record GatehouseConfig(
        Path dataDir,
        Server server,
        Database database,
        Broker broker,
        Auth auth,
        Heartbeat heartbeat,
        Limits limits,
        Channels channels,
        AccessLog accessLog,
        Duration shutdownDrain,
        LogFormat logFormat,
        Profile profile,
        Metrics metrics,
        Tasks tasks,
        Hooks hooks,
        Dashboard dashboard,
        Proxy proxy,
        Publish publish) {

    /**
     * channels.proxy.* (docs/integrations.md): the application endpoint asked about subscriptions in
     * {@code subscribe: proxy} namespaces and client publishes in {@code publish: proxy} ones.
     * {@code url} empty means off. {@code secrets}: the current one first (it signs), then those
     * being rotated out (they sign too).
     */
    public record Proxy(
            String url, List<String> secrets, Duration timeout, Duration cacheTtl, Duration recheckInterval) {
        public Proxy {
            secrets = List.copyOf(secrets);
        }

        public boolean enabled() {
            return !url.isEmpty();
        }

        /** Without the secrets. */
        @Override
        public String toString() {
            return "Proxy[url=" + url + ", secrets " + secrets.size() + ", timeout=" + timeout + ", cacheTtl="
                    + cacheTtl + ", recheckInterval=" + recheckInterval + "]";
        }
    }

    /** publish.*: how long an idempotency_key of the server API is remembered. */
    public record Publish(Duration idempotencyWindow) {}

    /** dashboard.*: how often the node samples its statistics (docs/protocol.md, "Live statistics"). */
    public record Dashboard(Duration statsInterval) {
        /** The shortest dashboard.stats_interval. */
        public static final Duration MIN_STATS_INTERVAL = Duration.ofMillis(100);
    }

    /** tasks.*: how often one task's progress is pushed and written; how long a finished task is kept. */
    public record Tasks(Duration pushInterval, Duration retention) {}

    /** {@code token} empty means {@code /metrics} answers anyone who can reach it. */
    public record Metrics(String token) {
        @Override
        public String toString() {
            return "Metrics[token " + (token.isEmpty() ? "unset" : "set") + "]";
        }
    }

    public enum LogFormat {
        TEXT,
        JSON
    }

    /** {@code prod} refuses unsafe combinations at start (SPEC §1). */
    public enum Profile {
        DEV,
        PROD
    }

    public record AccessLog(Duration retention, int buffer) {}

    /**
     * Webhooks (docs/webhooks.md). {@code url} empty means off. {@code events} empty means every
     * type. {@code retryBase} and {@code retryCap} bound the full-jitter backoff between attempts.
     */
    public record Hooks(
            String url,
            String secret,
            List<String> previousSecrets,
            List<String> events,
            int maxAttempts,
            int maxQueue,
            Duration timeout,
            Duration retryBase,
            Duration retryCap) {
        public Hooks {
            previousSecrets = List.copyOf(previousSecrets);
            events = List.copyOf(events);
        }

        /** Every secret each event is signed with: hooks.secret first, then hooks.previous_secrets. */
        public List<String> signingSecrets() {
            List<String> all = new java.util.ArrayList<>();
            all.add(secret);
            all.addAll(previousSecrets);
            return List.copyOf(all);
        }

        public boolean enabled() {
            return !url.isEmpty();
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "Hooks[url=" + url + ", secret " + (secret.isEmpty() ? "unset" : "set") + ", events=" + events
                    + ", maxAttempts=" + maxAttempts + ", maxQueue=" + maxQueue + ", timeout=" + timeout + "]";
        }
    }

    /**
     * {@code allowedOrigins}: browser origins allowed besides the server's own, normalised
     * (scheme://host[:port]). {@code tlsTerminatedUpstream}: the operator says TLS ends in front of
     * Gatehouse at something not in {@code trustedProxies}; only the prod profile reads it.
     * {@code requestTimeout}: from a request's first byte to its last (and from accept to the first
     * request); {@code idleTimeout}: a kept-alive HTTP connection between requests.
     * {@code publicOrigin}: {@code server.public_url} as an origin (scheme://host[:port], lower case),
     * or empty when the server's own origin comes from each request's Host (or X-Forwarded-Host).
     */
    public record Server(
            String host,
            int port,
            List<String> allowedOrigins,
            List<String> trustedProxies,
            boolean tlsTerminatedUpstream,
            Duration requestTimeout,
            Duration idleTimeout,
            String publicOrigin) {
        /** Whether TLS ends in front of Gatehouse (which has none of its own): a trusted proxy, or the operator says so. */
        public boolean tlsInFront() {
            return !trustedProxies.isEmpty() || tlsTerminatedUpstream;
        }
    }

    /** {@code url} empty means the embedded database under the data directory. */
    public record Database(String url, String username, String password, int poolSize) {
        public boolean embedded() {
            return url.isEmpty();
        }

        /** Without the password, and without the URL, which may carry one ({@code ?password=}). */
        @Override
        public String toString() {
            return "Database[" + (embedded() ? "embedded" : "url set") + ", username=" + username + ", password "
                    + (password.isEmpty() ? "unset" : "set") + ", poolSize=" + poolSize + "]";
        }
    }

    /**
     * broker.*: {@code url} is {@link #MEMORY_URL} (one node) or a checked
     * {@code redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB]} (several nodes, docs/redis.md);
     * {@code keyPrefix} starts every Redis key and pub/sub channel of the deployment;
     * {@code nodeTtl} (presence.node_ttl) is how long a node's heartbeat holds it in presence.
     */
    public record Broker(String url, String keyPrefix, Duration nodeTtl) {
        /** The in-memory broker of a single node, broker.url's default. */
        public static final String MEMORY_URL = "memory:";

        public boolean inMemory() {
            return url.equals(MEMORY_URL);
        }

        /** The URL as it may be shown: a user and password in it replaced by {@code ***}. */
        public String shownUrl() {
            return BrokerSettings.withoutPassword(url);
        }

        /** Without the password the URL may hold. */
        @Override
        public String toString() {
            return "Broker[url=" + shownUrl() + ", keyPrefix=" + keyPrefix + ", nodeTtl=" + nodeTtl + "]";
        }
    }

    public record Auth(
            boolean allowQueryToken,
            Duration timeout,
            Duration expiryWarning,
            Jwt jwt,
            Tokens tokens,
            Session session,
            Introspection introspection,
            PrimarySource primarySource) {}

    /** Whose user ids are kept as sent (auth.primary_source); see auth.UserIds. */
    public enum PrimarySource {
        JWT,
        INTROSPECTION
    }

    /**
     * {@code secret} empty means "generate one into the data directory". {@code jwksUrl} empty
     * means no JWKS; {@code signingKey} empty means the server signs its own JWTs with HS256 only.
     */
    public record Jwt(
            String secret,
            List<String> publicKeys,
            String issuer,
            String audience,
            Duration clockSkew,
            String jwksUrl,
            Duration jwksCacheTtl,
            String signingKey,
            List<String> otherIssuers,
            java.util.Set<String> algorithms,
            List<JwtSecret> secrets) {
        public Jwt {
            otherIssuers = List.copyOf(otherIssuers);
            secrets = List.copyOf(secrets);
        }

        /** The {@code iss} of JWTs Gatehouse mints; never an application's, so never {@code auth.jwt.issuer}. */
        public static final String GATEHOUSE_ISSUER = "gatehouse";

        /** What an issuer's name in {@code auth.jwt.other_issuers} ({@code NAME=ISSUER}) may be. */
        public static final java.util.regex.Pattern ISSUER_NAME =
                java.util.regex.Pattern.compile("[a-z0-9_.\\-]{1,32}");

        /** The algorithms Gatehouse can verify, as {@code auth.jwt.algorithms} names them. */
        public static final java.util.Set<String> ALGORITHMS = java.util.Set.of("HS256", "RS256", "ES256");

        /** Whether HS256 tokens (the shared secret) are accepted: {@code auth.jwt.algorithms} names HS256. */
        public boolean acceptsHs256() {
            return algorithms.contains("HS256");
        }

        /** Whether RS256/ES256 tokens from another issuer are accepted (public keys or a JWKS URL). */
        public boolean acceptsIssuerKeys() {
            return !publicKeys.isEmpty() || !jwksUrl.isEmpty();
        }

        /** Without the HS256 secret and the signing key. */
        @Override
        public String toString() {
            return "Jwt[secret " + (secret.isEmpty() ? "unset" : "set") + ", secrets " + secrets + ", signingKey "
                    + (signingKey.isEmpty() ? "unset" : "set") + ", issuer=" + issuer + ", audience=" + audience
                    + ", jwksUrl=" + jwksUrl + ", algorithms=" + algorithms + "]";
        }
    }

    /** One HS256 secret of {@code auth.jwt.secrets} with its key id ({@code kid}). */
    public record JwtSecret(String keyId, String secret) {
        /** The key id, without the secret. */
        @Override
        public String toString() {
            return "JwtSecret[" + keyId + "]";
        }
    }

    public record Tokens(Duration defaultTtl, Duration maxTtl) {}

    public record Heartbeat(Duration interval, Duration timeout) {}

    /**
     * Cookie sessions. {@code enabled} false declares a token-only deployment; the prod profile
     * then does not ask for {@code server.allowed_origins}. {@code sameSite}: the cookies' SameSite.
     */
    public record Session(Duration ttl, Duration csrfMaxAge, boolean enabled, SameSite sameSite) {
        public Session(Duration ttl, Duration csrfMaxAge, boolean enabled) {
            this(ttl, csrfMaxAge, enabled, SameSite.LAX);
        }
    }

    /**
     * {@code auth.session.same_site}: when browsers send the session cookies. {@link #NONE} (cross-site
     * pages too) makes the cookies always Secure, as browsers drop {@code SameSite=None} without it.
     */
    public enum SameSite {
        LAX("Lax"),
        STRICT("Strict"),
        NONE("None");

        private final String attribute;

        SameSite(String attribute) {
            this.attribute = attribute;
        }

        /** The value of the cookie's {@code SameSite=} attribute. */
        public String attribute() {
            return attribute;
        }
    }

    /**
     * {@code url} empty means introspection is off. {@code scheme} is Bearer or Token.
     * {@code recheckInterval}: how often an open connection's token is asked about again.
     */
    public record Introspection(
            String url,
            String scheme,
            String idField,
            Duration cacheTtl,
            Duration negativeCacheTtl,
            Duration timeout,
            Duration recheckInterval) {
        public boolean enabled() {
            return !url.isEmpty();
        }
    }

    /** What happens when a second connection arrives with the same session or token. */
    public enum DuplicatePolicy {
        /** The older connection is closed with 4409 CONNECTION_REPLACED. */
        REPLACE,
        /** The newer connection is refused with 4409 CONNECTION_REPLACED. */
        REJECT,
        /** Both stay. */
        ALLOW
    }

    /**
     * {@code loginFailuresPerAccount}: failed logins per user name; {@code loginQueue}: logins that may
     * wait for a password-hashing thread.
     */
    public record Limits(
            int maxMessageBytes,
            DuplicatePolicy duplicateSessionPolicy,
            RateLimit upgradesPerIp,
            RateLimit upgradesPerCredential,
            int connectionsPerIp,
            RateLimit authFailuresPerIp,
            RateLimit loginFailuresPerAccount,
            int loginQueue,
            RateLimit messagesPerConnection,
            int connectionsPerUser,
            int subscriptionsPerConnection,
            int outboundBufferBytes) {}

    public record Channels(Map<String, NamespaceConfig> namespaces) {
        /**
         * The rules of {@code namespace}; the defaults when {@code namespace} is null (a channel
         * without one); {@link NamespaceConfig#BUILT_IN} for {@code gatehouse}; null when no such
         * namespace is configured.
         */
        public NamespaceConfig namespace(String namespace) {
            if (namespace == null) {
                return NamespaceConfig.DEFAULT;
            }
            return NamespaceConfig.BUILT_IN_NAME.equals(namespace)
                    ? NamespaceConfig.BUILT_IN
                    : namespaces.get(namespace);
        }

        /** How much history {@code channel} keeps: its namespace's history_size and history_ttl. */
        public HistoryRetention retention(ChannelName channel) {
            NamespaceConfig ns = namespace(channel.namespace());
            return ns == null ? HistoryRetention.NONE : new HistoryRetention(ns.historySize(), ns.historyTtl());
        }
    }
}
