package io.gatehouse.config;

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
        Channels channels) {

    public record Server(String host, int port) {
    }

    /** {@code url} empty means the embedded database under the data directory. */
    public record Database(String url, String username, String password, int poolSize) {
        public boolean embedded() {
            return url.isEmpty();
        }
    }

    public record Broker(String url) {
    }

    public record Auth(boolean allowQueryToken, Duration timeout, Jwt jwt, Tokens tokens) {
    }

    /** {@code secret} empty means "generate one into the data directory". */
    public record Jwt(String secret, List<String> publicKeys, String issuer, String audience, Duration clockSkew) {
    }

    public record Tokens(Duration defaultTtl, Duration maxTtl) {
    }

    public record Heartbeat(Duration interval, Duration timeout) {
    }

    public record Limits(int maxMessageBytes) {
    }

    public record Channels(Map<String, NamespaceConfig> namespaces) {
        /**
         * The rules of {@code namespace}; the defaults when {@code namespace} is null (a channel
         * without one); null when no such namespace is configured.
         */
        public NamespaceConfig namespace(String namespace) {
            return namespace == null ? NamespaceConfig.DEFAULT : namespaces.get(namespace);
        }
    }
}
