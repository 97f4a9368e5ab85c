package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code broker.*} keys: {@code memory:} by default, Redis URLs the Redis broker can use, and
 * every other value stops the load naming its key, never showing a password.
 */
class BrokerSettingsTest {
    @Test
    void theDefaultIsTheMemoryBrokerUnderTheGatehousePrefix() {
        GatehouseConfig.Broker b = ConfigLoader.defaults().broker();

        assertThat(b.url()).isEqualTo("memory:");
        assertThat(b.inMemory()).isTrue();
        assertThat(b.keyPrefix()).isEqualTo("gatehouse:");
    }

    @Test
    void presenceNodeTtlIsThirtySecondsByDefaultAndAtLeastOneSecond() {
        assertThat(ConfigLoader.defaults().broker().nodeTtl()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(load(Map.of("GATEHOUSE_PRESENCE_NODE_TTL", "1s")).nodeTtl())
                .isEqualTo(java.time.Duration.ofSeconds(1));
        assertThatThrownBy(() -> load(Map.of("GATEHOUSE_PRESENCE_NODE_TTL", "500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "invalid value for presence.node_ttl (environment variable GATEHOUSE_PRESENCE_NODE_TTL): ")
                .hasMessageContaining("at least 1s");
    }

    @Test
    void redisUrlsWithPortDatabaseTlsAndPasswordAreAccepted() {
        for (String url : List.of(
                "redis://localhost",
                "redis://127.0.0.1:6379",
                "redis://127.0.0.1:6379/",
                "redis://redis.internal:6380/3",
                "redis://[::1]:6379/0",
                "rediss://redis.example.com:6380",
                "redis://:pa55word@redis.internal:6379/1",
                "redis://app:pa55word@redis.internal:6379")) {
            GatehouseConfig.Broker b = load(Map.of("GATEHOUSE_BROKER_URL", url));
            assertThat(b.url()).as(url).isEqualTo(url);
            assertThat(b.inMemory()).as(url).isFalse();
        }
        assertThat(load(Map.of("GATEHOUSE_BROKER_PREFIX", "shop-prod.v2:")).keyPrefix())
                .isEqualTo("shop-prod.v2:");
    }

    @Test
    void anUnknownSchemeStopsTheLoadNamingBrokerUrlAndWhatIsExpected() {
        for (String url : List.of(
                "kafka://localhost:9092", "memory", "memory:x", "redis-sentinel://h:26379", "localhost:6379", "")) {
            assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_URL", url)))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(
                            "invalid value for broker.url (environment variable GATEHOUSE_BROKER_URL): ")
                    .hasMessageContaining("expected memory: (one node) or redis://HOST[:PORT][/DB]");
        }
        assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_URL", "kafka://localhost:9092")))
                .hasMessageContaining("unsupported scheme kafka:");
    }

    @Test
    void aRedisUrlWithAnythingButADatabaseAfterTheAddressIsRefused() {
        for (String url : List.of(
                "redis://localhost:6379/db",
                "redis://localhost:6379/0/1",
                "redis://localhost:6379?timeout=10s",
                "redis://localhost:6379#x",
                "redis://localhost:0",
                "redis://:6379",
                "redis:///0")) {
            assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_URL", url)))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid value for broker.url ");
        }
    }

    @Test
    void thePasswordOfARedisUrlIsInNoErrorAndNoToString() {
        assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_URL", "redis://:hunter2@localhost:6379/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redis://***@localhost:6379/x")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_URL", "mongodb://admin:hunter2@db:27017")))
                .hasMessageNotContaining("hunter2");

        GatehouseConfig.Broker b = load(Map.of("GATEHOUSE_BROKER_URL", "redis://app:hunter2@localhost:6379"));
        assertThat(b.toString()).doesNotContain("hunter2").contains("redis://***@localhost:6379");
        assertThat(b.shownUrl()).isEqualTo("redis://***@localhost:6379");
    }

    @Test
    void aKeyPrefixRedisCannotUseSafelyStopsTheLoadNamingBrokerPrefix() {
        for (String prefix : List.of("", "gatehouse*", "a b", "x".repeat(65), "{tag}")) {
            assertThatThrownBy(() -> load(Map.of("GATEHOUSE_BROKER_PREFIX", prefix)))
                    .as(prefix)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid value for broker.prefix ")
                    .hasMessageContaining("1 to 64 of A-Z a-z 0-9 _ - . :");
        }
    }

    private static GatehouseConfig.Broker load(Map<String, String> environment) {
        return ConfigLoader.load(new ConfigSources().environment(environment)).broker();
    }
}
