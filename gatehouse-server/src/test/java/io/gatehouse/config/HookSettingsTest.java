package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code hooks.*} keys: defaults, and every invalid value stops the load naming its key. */
class HookSettingsTest {
    static final String SECRET = "a-webhook-secret-of-at-least-32-bytes!";

    @TempDir
    Path dir;

    @Test
    void theDefaultsLeaveWebhooksOff() {
        GatehouseConfig.Hooks h = ConfigLoader.defaults().hooks();

        assertThat(h.enabled()).isFalse();
        assertThat(h.events()).isEmpty();
        assertThat(h.maxAttempts()).isEqualTo(20);
        assertThat(h.maxQueue()).isEqualTo(100_000);
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.retryBase()).isEqualTo(Duration.ofSeconds(1));
        assertThat(h.retryCap()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aUrlAndSecretTurnThemOnAndTheSecretIsNeverPrinted() {
        GatehouseConfig.Hooks h = load(Map.of(
                        "GATEHOUSE_HOOKS_URL", "https://app.example.com/hooks",
                        "GATEHOUSE_HOOKS_SECRET", SECRET,
                        "GATEHOUSE_HOOKS_EVENTS", "connection.opened, token.revoked"))
                .hooks();

        assertThat(h.enabled()).isTrue();
        assertThat(h.events()).containsExactly("connection.opened", "token.revoked");
        assertThat(h.toString()).doesNotContain(SECRET);
    }

    @Test
    void invalidValuesStopTheLoadNamingTheKey() {
        assertRefused(
                Map.of("GATEHOUSE_HOOKS_URL", "ftp://app.example.com/hooks", "GATEHOUSE_HOOKS_SECRET", SECRET),
                "hooks.url");
        assertRefused(Map.of("GATEHOUSE_HOOKS_URL", "not a url", "GATEHOUSE_HOOKS_SECRET", SECRET), "hooks.url");
        assertRefused(Map.of("GATEHOUSE_HOOKS_URL", "https://app.example.com/hooks"), "hooks.secret");
        assertThatThrownBy(() -> load(Map.of(
                        "GATEHOUSE_HOOKS_URL",
                        "https://app:hunter2@app.example.com/hooks",
                        "GATEHOUSE_HOOKS_SECRET",
                        SECRET)))
                .hasMessageStartingWith("invalid value for hooks.url (")
                .hasMessageNotContaining("hunter2");
        assertRefused(Map.of("GATEHOUSE_HOOKS_EVENTS", "connection.opened, connection.exploded"), "hooks.events");
        assertRefused(Map.of("GATEHOUSE_HOOKS_MAX_ATTEMPTS", "0"), "hooks.max_attempts");
        assertRefused(Map.of("GATEHOUSE_HOOKS_MAX_QUEUE", "-1"), "hooks.max_queue");
        assertRefused(Map.of("GATEHOUSE_HOOKS_TIMEOUT", "0s"), "hooks.timeout");
        assertRefused(Map.of("GATEHOUSE_HOOKS_RETRY_CAP", "11m"), "hooks.retry_cap");
        assertRefused(
                Map.of("GATEHOUSE_HOOKS_RETRY_BASE", "2m", "GATEHOUSE_HOOKS_RETRY_CAP", "1m"), "hooks.retry_base");
    }

    @Test
    void theProdProfileRefusesAShortSecretNamingTheKey() throws IOException {
        Path yaml = Files.writeString(dir.resolve("prod.yaml"), ProdProfileTest.SAFE);
        Map<String, String> env = Map.of(
                "GATEHOUSE_HOOKS_URL", "https://app.example.com/hooks", "GATEHOUSE_HOOKS_SECRET", "short-secret");

        assertThatThrownBy(() ->
                        ConfigLoader.load(new ConfigSources().yamlFile(yaml).environment(env)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("hooks.secret (environment")
                .hasMessageContaining("shorter than 32 bytes")
                .hasMessageNotContaining("short-secret");
        assertThat(ConfigLoader.load(new ConfigSources()
                                .yamlFile(yaml)
                                .environment(Map.of(
                                        "GATEHOUSE_HOOKS_URL", "https://app.example.com/hooks",
                                        "GATEHOUSE_HOOKS_SECRET", "Zq8vN2xR7tLm4KpW9sYb3HcJ6fDg1QeA5uVo0iTn")))
                        .hooks()
                        .enabled())
                .isTrue();
    }

    @Test
    void everyEventTypeIsAcceptedByHooksEvents() {
        GatehouseConfig.Hooks h = load(Map.of("GATEHOUSE_HOOKS_EVENTS", String.join(",", HookSettings.EVENT_TYPES)))
                .hooks();

        assertThat(h.events()).isEqualTo(List.copyOf(HookSettings.EVENT_TYPES));
    }

    private static GatehouseConfig load(Map<String, String> env) {
        return ConfigLoader.load(new ConfigSources().environment(env));
    }

    private static void assertRefused(Map<String, String> env, String key) {
        assertThatThrownBy(() -> load(env))
                .as(env.toString())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value for " + key + " (");
    }
}
