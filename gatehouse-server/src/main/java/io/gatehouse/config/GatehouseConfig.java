package io.gatehouse.config;

import io.gatehouse.broker.HistoryRetention;
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
        Profile profile) {

    public enum LogFormat { TEXT, JSON }

    /** {@code prod} refuses unsafe combinations at start (SPEC §1). */
    public enum Profile { DEV, PROD }

    public record AccessLog(Duration retention, int buffer) {
    }

    /**
     * {@code allowedOrigins}: browser origins allowed besides the server's own, normalised
     * (scheme://host[:port]). {@code tlsTerminatedUpstream}: the operator says TLS ends in front of
     * Gatehouse at something not in {@code trustedProxies}; only the prod profile reads it.
     */
    public record Server(String host, int port, List<String> allowedOrigins, List<String> trustedProxies,
            boolean tlsTerminatedUpstream) {
    }

    /** {@code url} empty means the embedded database under the data directory. */
    public record Database(String url, String username, String password, int poolSize) {
        public boolean embedded() {
            return url.isEmpty();
        }
    }

    public record Broker(String url) {
    }

    public record Auth(boolean allowQueryToken, Duration timeout, Duration expiryWarning, Jwt jwt, Tokens tokens,
            Session session, Introspection introspection) {
    }

    /**
     * {@code secret} empty means "generate one into the data directory". {@code jwksUrl} empty
     * means no JWKS; {@code signingKey} empty means the server signs its own JWTs with HS256 only.
     */
    public record Jwt(String secret, List<String> publicKeys, String issuer, String audience, Duration clockSkew,
            String jwksUrl, Duration jwksCacheTtl, String signingKey) {
        /** Whether RS256/ES256 tokens from another issuer are accepted (public keys or a JWKS URL). */
        public boolean acceptsIssuerKeys() {
            return !publicKeys.isEmpty() || !jwksUrl.isEmpty();
        }
    }

    public record Tokens(Duration defaultTtl, Duration maxTtl) {
    }

    public record Heartbeat(Duration interval, Duration timeout) {
    }

    /**
     * Cookie sessions. {@code enabled} false declares a token-only deployment; the prod profile
     * then does not ask for {@code server.allowed_origins}.
     */
    public record Session(Duration ttl, Duration csrfMaxAge, boolean enabled) {
    }

    /**
     * {@code url} empty means introspection is off. {@code scheme} is Bearer or Token.
     * {@code recheckInterval}: how often an open connection's token is asked about again.
     */
    public record Introspection(String url, String scheme, String idField, Duration cacheTtl, Duration negativeCacheTtl,
            Duration timeout, Duration recheckInterval) {
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
    public record Limits(int maxMessageBytes, DuplicatePolicy duplicateSessionPolicy, RateLimit upgradesPerIp,
            RateLimit authFailuresPerIp, RateLimit loginFailuresPerAccount, int loginQueue, RateLimit messagesPerConnection,
            int connectionsPerUser, int outboundBufferBytes) {
    }

    public record Channels(Map<String, NamespaceConfig> namespaces) {
        /**
         * The rules of {@code namespace}; the defaults when {@code namespace} is null (a channel
         * without one); null when no such namespace is configured.
         */
        public NamespaceConfig namespace(String namespace) {
            return namespace == null ? NamespaceConfig.DEFAULT : namespaces.get(namespace);
        }

        /** How much history {@code channel} keeps: its namespace's history_size and history_ttl. */
        public HistoryRetention retention(ChannelName channel) {
            NamespaceConfig ns = namespace(channel.namespace());
            return ns == null ? HistoryRetention.NONE : new HistoryRetention(ns.historySize(), ns.historyTtl());
        }
    }
}
