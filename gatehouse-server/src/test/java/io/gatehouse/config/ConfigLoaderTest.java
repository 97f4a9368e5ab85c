package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    // --- defaults ---

    @Test
    void defaultsMatchTheSpec() {
        GatehouseConfig c = ConfigLoader.defaults();

        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.dataDir())
                .isEqualTo(Path.of("gatehouse-data").toAbsolutePath().normalize());
        assertThat(c.database().embedded()).isTrue();
        assertThat(c.database().poolSize()).isEqualTo(10);
        assertThat(c.broker().url()).isEqualTo("memory:");
        assertThat(c.auth().allowQueryToken()).isTrue();
        assertThat(c.auth().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.auth().jwt().secret())
                .as("empty: generated into the data directory")
                .isEmpty();
        assertThat(c.auth().jwt().publicKeys()).isEmpty();
        assertThat(c.auth().jwt().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.auth().tokens().defaultTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.auth().tokens().maxTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(c.heartbeat().interval()).isEqualTo(Duration.ofSeconds(25));
        assertThat(c.heartbeat().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.limits().maxMessageBytes()).isEqualTo(65536);
        assertThat(c.channels().namespaces()).isEmpty();
    }

    @Test
    void channelsWithoutANamespaceGetTheDefaultRulesAndUnconfiguredNamespacesGetNone() {
        GatehouseConfig.Channels channels = ConfigLoader.defaults().channels();

        assertThat(channels.namespace(null)).isEqualTo(NamespaceConfig.DEFAULT);
        assertThat(channels.namespace("nowhere")).isNull();
    }

    @Test
    void everyKeyHasAnEnvironmentFormInUpperCaseWithUnderscores() {
        assertThat(ConfigKey.AUTH_JWT_SECRET.envName()).isEqualTo("GATEHOUSE_AUTH_JWT_SECRET");
        assertThat(ConfigKey.BROKER_URL.envName()).isEqualTo("GATEHOUSE_BROKER_URL");
        assertThat(ConfigKey.DATABASE_URL.envName()).isEqualTo("GATEHOUSE_DATABASE_URL");
        assertThat(ConfigKey.envName("a.b-c")).isEqualTo("GATEHOUSE_A_B_C");
    }

    // --- precedence: file, then environment, then flags ---

    @Test
    void yamlFileOverridesDefaults() throws IOException {
        Path yaml = yaml("""
                server:
                  host: 0.0.0.0
                  port: 9000
                auth:
                  timeout: 3s
                  allow_query_token: false
                heartbeat:
                  interval: 500ms
                limits:
                  max_message_bytes: 16KiB
                """);

        GatehouseConfig c = ConfigLoader.load(new ConfigSources().yamlFile(yaml));

        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().port()).isEqualTo(9000);
        assertThat(c.auth().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.auth().allowQueryToken()).isFalse();
        assertThat(c.heartbeat().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.heartbeat().timeout()).as("not in the file: the default").isEqualTo(Duration.ofSeconds(10));
        assertThat(c.limits().maxMessageBytes()).isEqualTo(16 * 1024);
    }

    @Test
    void sessionSameSiteIsLaxByDefaultAndReadFromItsEnvironmentForm() {
        assertThat(ConfigLoader.defaults().auth().session().sameSite()).isEqualTo(GatehouseConfig.SameSite.LAX);
        assertThat(ConfigLoader.load(
                                new ConfigSources().environment(Map.of("GATEHOUSE_AUTH_SESSION_SAME_SITE", "Strict")))
                        .auth()
                        .session()
                        .sameSite())
                .isEqualTo(GatehouseConfig.SameSite.STRICT);
    }

    @Test
    void anUnknownSessionSameSiteIsRefusedNamingTheKey() throws IOException {
        Path yaml = yaml("auth:\n  session:\n    same_site: sideways\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid value for auth.session.same_site (config file")
                .hasMessageContaining("'sideways'")
                .hasMessageContaining("expected lax, strict or none");
    }

    @Test
    void environmentOverridesYaml() throws IOException {
        Path yaml = yaml("server: {host: 0.0.0.0, port: 9000}\n");

        GatehouseConfig c = ConfigLoader.load(
                new ConfigSources().yamlFile(yaml).environment(Map.of("GATEHOUSE_SERVER_PORT", "9001")));

        assertThat(c.server().port()).isEqualTo(9001);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void flagsOverrideEnvironmentAndYaml() throws IOException {
        Path yaml = yaml("server: {host: 0.0.0.0, port: 9000}\n");

        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .yamlFile(yaml)
                .environment(Map.of("GATEHOUSE_SERVER_PORT", "9001", "GATEHOUSE_SERVER_HOST", "10.0.0.1"))
                .flag(ConfigKey.SERVER_PORT, 9002, "--port"));

        assertThat(c.server().port()).isEqualTo(9002);
        assertThat(c.server().host()).isEqualTo("10.0.0.1");
    }

    @Test
    void precedenceDoesNotDependOnTheOrderSourcesAreAddedIn() throws IOException {
        Path yaml = yaml("server: {port: 9000}\nauth: {timeout: 3s}\n");

        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .flag(ConfigKey.SERVER_PORT, 9002, "--port")
                .environment(Map.of("GATEHOUSE_SERVER_PORT", "9001", "GATEHOUSE_AUTH_TIMEOUT", "4s"))
                .yamlFile(yaml));

        assertThat(c.server().port()).isEqualTo(9002);
        assertThat(c.auth().timeout()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aNullFlagLeavesTheValueFromTheOtherSources() {
        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .environment(Map.of("GATEHOUSE_SERVER_PORT", "9001"))
                .flag(ConfigKey.SERVER_PORT, null, "--port"));

        assertThat(c.server().port()).isEqualTo(9001);
    }

    @Test
    void environmentVariablesWithoutTheGatehousePrefixAreIgnored() {
        GatehouseConfig c = ConfigLoader.load(
                new ConfigSources().environment(Map.of("PATH", "/usr/bin", "SERVER_PORT", "1", "HOME", "/root")));

        assertThat(c.server().port()).isEqualTo(8080);
    }

    @Test
    void environmentFormsOfKeysSetTheirDottedKeys() {
        String secret = "0123456789abcdef0123456789abcdef";

        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .environment(Map.of(
                        "GATEHOUSE_AUTH_JWT_SECRET", secret,
                        "GATEHOUSE_SERVER_PORT", "0",
                        "GATEHOUSE_DATA_DIR", dir.toString(),
                        "GATEHOUSE_AUTH_TOKENS_MAX_TTL", "7d",
                        "GATEHOUSE_CHANNELS_NAMESPACES_CHAT_PUBLISH", "authenticated",
                        "GATEHOUSE_CHANNELS_NAMESPACES_CHAT_HISTORY_SIZE", "5",
                        "GATEHOUSE_CHANNELS_NAMESPACES_TEAM_CHAT_JOIN_LEAVE", "true")));

        assertThat(c.auth().jwt().secret()).isEqualTo(secret);
        assertThat(c.server().port()).isZero();
        assertThat(c.dataDir()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(c.auth().tokens().maxTtl()).isEqualTo(Duration.ofDays(7));
        NamespaceConfig chat = c.channels().namespace("chat");
        assertThat(chat.publish()).isEqualTo(NamespaceConfig.PublishRule.AUTHENTICATED);
        assertThat(chat.historySize()).isEqualTo(5);
        assertThat(chat.subscribe()).as("default").isEqualTo(NamespaceConfig.SubscribeRule.AUTHENTICATED);
        assertThat(c.channels().namespace("team_chat").joinLeave()).isTrue();
    }

    @Test
    void environmentOverridesOneNamespaceKeyFromYamlAndKeepsTheOthers() throws IOException {
        Path yaml = yaml("""
                channels:
                  namespaces:
                    chat: {publish: server, subscribe: admin}
                """);

        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .yamlFile(yaml)
                .environment(Map.of("GATEHOUSE_CHANNELS_NAMESPACES_CHAT_PUBLISH", "authenticated")));

        NamespaceConfig chat = c.channels().namespace("chat");
        assertThat(chat.publish()).isEqualTo(NamespaceConfig.PublishRule.AUTHENTICATED);
        assertThat(chat.subscribe()).isEqualTo(NamespaceConfig.SubscribeRule.ADMIN);
    }

    // --- namespaces ---

    @Test
    void namespaceKeysInYamlConfigureTheirNamespace() throws IOException {
        Path yaml = yaml("""
                channels:
                  namespaces:
                    chat: {publish: authenticated, subscribe: admin}
                    news:
                      history_size: 0
                      history_ttl: 24h
                      presence: true
                      join_leave: true
                      subscribe: none
                """);

        GatehouseConfig c = ConfigLoader.load(new ConfigSources().yamlFile(yaml));

        assertThat(c.channels().namespaces()).containsOnlyKeys("chat", "news");
        assertThat(c.channels().namespace("chat"))
                .isEqualTo(new NamespaceConfig(
                        NamespaceConfig.SubscribeRule.ADMIN,
                        NamespaceConfig.PublishRule.AUTHENTICATED,
                        100,
                        Duration.ofMinutes(5),
                        false,
                        false));
        assertThat(c.channels().namespace("news"))
                .isEqualTo(new NamespaceConfig(
                        NamespaceConfig.SubscribeRule.NONE,
                        NamespaceConfig.PublishRule.SERVER,
                        0,
                        Duration.ofHours(24),
                        true,
                        true));
    }

    @Test
    void aNamespaceWrittenWithoutKeysExistsWithDefaultRules() throws IOException {
        Path yaml = yaml("""
                channels:
                  namespaces:
                    chat: {}
                    news:
                """);

        GatehouseConfig c = ConfigLoader.load(new ConfigSources().yamlFile(yaml));

        assertThat(c.channels().namespaces()).containsOnlyKeys("chat", "news");
        assertThat(c.channels().namespace("chat")).isEqualTo(NamespaceConfig.DEFAULT);
        assertThat(c.channels().namespace("news")).isEqualTo(NamespaceConfig.DEFAULT);
    }

    @Test
    void namespaceRulesAreCaseInsensitive() throws IOException {
        Path yaml = yaml("channels: {namespaces: {chat: {publish: Authenticated, subscribe: ADMIN}}}\n");

        NamespaceConfig chat =
                ConfigLoader.load(new ConfigSources().yamlFile(yaml)).channels().namespace("chat");

        assertThat(chat.publish()).isEqualTo(NamespaceConfig.PublishRule.AUTHENTICATED);
        assertThat(chat.subscribe()).isEqualTo(NamespaceConfig.SubscribeRule.ADMIN);
    }

    @Test
    void theBuiltInNamespaceGatehouseHasItsOwnRulesWithoutConfiguration() {
        NamespaceConfig gatehouse = ConfigLoader.defaults().channels().namespace("gatehouse");

        assertThat(gatehouse).isSameAs(NamespaceConfig.BUILT_IN);
        assertThat(gatehouse.subscribe()).isEqualTo(NamespaceConfig.SubscribeRule.ADMIN);
        assertThat(gatehouse.publish()).isEqualTo(NamespaceConfig.PublishRule.NONE);
        assertThat(gatehouse.historySize()).isZero();
        assertThat(gatehouse.presence()).isFalse();
        assertThat(NamespaceConfig.STATS_CHANNEL).isEqualTo("gatehouse:stats");
    }

    @Test
    void configuringTheBuiltInNamespaceStopsLoadingNamingTheKey() throws IOException {
        for (String text : List.of(
                "channels: {namespaces: {gatehouse: {publish: authenticated}}}\n",
                "channels: {namespaces: {gatehouse: {}}}\n",
                "channels:\n  namespaces:\n    gatehouse:\n")) {
            Path yaml = yaml(text);
            assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                    .as(text)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("channels.namespaces.gatehouse is reserved")
                    .hasMessageContaining("gatehouse:stats");
        }
        assertThatThrownBy(() -> loadEnv("GATEHOUSE_CHANNELS_NAMESPACES_GATEHOUSE_PRESENCE", "true"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("channels.namespaces.gatehouse is reserved");
    }

    @Test
    void statsIntervalIsOneSecondByDefaultAndAtLeast100Milliseconds() {
        assertThat(ConfigLoader.defaults().dashboard().statsInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(loadEnv("GATEHOUSE_DASHBOARD_STATS_INTERVAL", "100ms")
                        .dashboard()
                        .statsInterval())
                .isEqualTo(Duration.ofMillis(100));
        assertInvalid("GATEHOUSE_DASHBOARD_STATS_INTERVAL", "99ms", "dashboard.stats_interval")
                .hasMessageContaining("at least 100ms");
        assertInvalid("GATEHOUSE_DASHBOARD_STATS_INTERVAL", "0s", "dashboard.stats_interval");
    }

    // --- value syntax ---

    @Test
    void durationsAreWrittenWithAUnit() {
        assertThat(ValueType.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ValueType.parseDuration("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(ValueType.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(ValueType.parseDuration("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(ValueType.parseDuration("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(ValueType.parseDuration("0s")).isZero();
    }

    @Test
    void durationsFromEveryUnitReachTheConfiguration() {
        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .environment(Map.of(
                        "GATEHOUSE_AUTH_TIMEOUT", "500ms",
                        "GATEHOUSE_HEARTBEAT_INTERVAL", "3s",
                        "GATEHOUSE_HEARTBEAT_TIMEOUT", "30m",
                        "GATEHOUSE_AUTH_TOKENS_DEFAULT_TTL", "24h",
                        "GATEHOUSE_AUTH_TOKENS_MAX_TTL", "30d")));

        assertThat(c.auth().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.heartbeat().interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.heartbeat().timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.auth().tokens().defaultTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.auth().tokens().maxTtl()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void sizesAreWrittenInBytesKibOrMib() {
        assertThat(ValueType.parseSize("65536")).isEqualTo(65536);
        assertThat(ValueType.parseSize("64KiB")).isEqualTo(65536);
        assertThat(ValueType.parseSize("16MiB")).isEqualTo(16L * 1024 * 1024);
        assertThat(ValueType.parseSize("1GiB")).isEqualTo(1024L * 1024 * 1024);

        GatehouseConfig c = ConfigLoader.load(
                new ConfigSources().environment(Map.of("GATEHOUSE_LIMITS_MAX_MESSAGE_BYTES", "16MiB")));
        assertThat(c.limits().maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void sizesTooLargeToRepresentAreRefusedInsteadOfWrappingAround() {
        // 2^34 GiB is 2^64 bytes: unchecked multiplication wraps it to 0.
        assertThatThrownBy(() -> ValueType.parseSize("17179869184GiB")).isInstanceOf(IllegalArgumentException.class);
        // (2^44 + 1) MiB is 2^64 + 1 MiB: unchecked, it wraps to a "valid" 1 MiB.
        assertThatThrownBy(() -> loadEnv("GATEHOUSE_LIMITS_MAX_MESSAGE_BYTES", "17592186044417MiB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.max_message_bytes")
                .hasMessageContaining("too large");
    }

    @Test
    void durationsTooLongToRepresentStopLoadingNamingTheKey() {
        assertThatThrownBy(() -> loadEnv("GATEHOUSE_AUTH_TOKENS_MAX_TTL", "999999999999999d"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.tokens.max_ttl")
                .hasMessageContaining("too long");
        assertThatThrownBy(() -> loadEnv("GATEHOUSE_AUTH_TIMEOUT", "99999999999999999999s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.timeout");
    }

    @Test
    void publicKeysAreAYamlListOrACommaSeparatedVariable() throws IOException {
        Path yaml = yaml("auth: {jwt: {public_keys: [/etc/a.pem, /etc/b.pem]}}\n");

        assertThat(ConfigLoader.load(new ConfigSources().yamlFile(yaml))
                        .auth()
                        .jwt()
                        .publicKeys())
                .containsExactly("/etc/a.pem", "/etc/b.pem");
        assertThat(loadEnv("GATEHOUSE_AUTH_JWT_PUBLIC_KEYS", "/etc/a.pem, /etc/b.pem")
                        .auth()
                        .jwt()
                        .publicKeys())
                .containsExactly("/etc/a.pem", "/etc/b.pem");
    }

    @Test
    void anEmptyYamlFileACommentOnlyFileOrAnEmptySectionChangesNothing() throws IOException {
        assertThat(ConfigLoader.load(new ConfigSources().yamlFile(yaml("")))
                        .server()
                        .port())
                .isEqualTo(8080);
        assertThat(ConfigLoader.load(new ConfigSources().yamlFile(yaml("# nothing yet\n")))
                        .server()
                        .port())
                .isEqualTo(8080);
        assertThat(ConfigLoader.load(new ConfigSources().yamlFile(yaml("server:\n# port: 9000\n")))
                        .server()
                        .port())
                .isEqualTo(8080);
    }

    // --- errors: each stops loading and names the key ---

    @Test
    void unknownKeyInYamlStopsLoadingWithTheKeyNamed() throws IOException {
        Path yaml = yaml("x:\n  y: 1\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key 'x.y'")
                .hasMessageContaining(yaml.toString());
    }

    @Test
    void misspelledKeyInYamlIsNamedWithTheKeyItProbablyMeant() throws IOException {
        Path yaml = yaml("server:\n  prot: 9000\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'server.prot'")
                .hasMessageContaining("did you mean 'server.port'?");
    }

    @Test
    void unknownKeyInsideANamespaceStopsLoadingWithTheKeyNamed() throws IOException {
        Path yaml = yaml("channels: {namespaces: {chat: {publsh: authenticated}}}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'channels.namespaces.chat.publsh'");
    }

    @Test
    void unknownKeyWithAnEmptyValueIsStillUnknown() throws IOException {
        Path yaml = yaml("sever:\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'sever'");
    }

    @Test
    void aKeyWrittenTwiceInYamlStopsLoadingWithTheKeyNamed() throws IOException {
        Path yaml = yaml("server:\n  port: 9000\n  port: 9001\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(yaml.toString())
                .hasMessageContaining("line 3")
                .hasMessageContaining("port");
    }

    @Test
    void aMissingConfigFileStopsLoadingWithTheFileNamed() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> new ConfigSources().yamlFile(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aYamlFileThatIsNotAMapStopsLoading() throws IOException {
        Path yaml = yaml("- server\n- port\n");

        assertThatThrownBy(() -> new ConfigSources().yamlFile(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be a YAML map");
    }

    @Test
    void unknownGatehouseEnvironmentVariableStopsLoadingWithTheVariableNamed() {
        assertThatThrownBy(() -> loadEnv("GATEHOUSE_SERVER_PROT", "9000"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'GATEHOUSE_SERVER_PROT'")
                .hasMessageContaining("environment variable GATEHOUSE_SERVER_PROT")
                .hasMessageContaining("did you mean 'GATEHOUSE_SERVER_PORT'?");
    }

    @Test
    void badPortStopsLoadingWithTheKeyAndSourceNamed() {
        assertInvalid("GATEHOUSE_SERVER_PORT", "abc", "server.port")
                .hasMessageContaining("environment variable GATEHOUSE_SERVER_PORT")
                .hasMessageContaining("port number 0-65535")
                .hasMessageContaining("'abc'");
        assertInvalid("GATEHOUSE_SERVER_PORT", "65536", "server.port");
        assertInvalid("GATEHOUSE_SERVER_PORT", "-1", "server.port");
    }

    @Test
    void badPortInYamlNamesTheFile() throws IOException {
        Path yaml = yaml("server: {port: abc}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value for server.port (config file " + yaml + ")");
    }

    @Test
    void badPortFlagNamesTheFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().flag(ConfigKey.SERVER_PORT, 70000, "--port")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port")
                .hasMessageContaining("flag --port");
    }

    @Test
    void badDurationStopsLoadingWithTheKeyNamed() {
        assertInvalid("GATEHOUSE_AUTH_TIMEOUT", "5", "auth.timeout").hasMessageContaining("500ms, 3s, 30m, 24h or 30d");
        assertInvalid("GATEHOUSE_AUTH_TIMEOUT", "5 seconds", "auth.timeout");
        assertInvalid("GATEHOUSE_AUTH_TIMEOUT", "1.5s", "auth.timeout");
        assertInvalid("GATEHOUSE_HEARTBEAT_INTERVAL", "-3s", "heartbeat.interval");
    }

    @Test
    void zeroDurationWhereTimeMustPassStopsLoadingWithTheValueShown() {
        assertInvalid("GATEHOUSE_HEARTBEAT_INTERVAL", "0s", "heartbeat.interval")
                .hasMessageContaining("'0s'")
                .hasMessageContaining("longer than zero");
        assertInvalid("GATEHOUSE_AUTH_TIMEOUT", "0ms", "auth.timeout");
        assertInvalid("GATEHOUSE_AUTH_TOKENS_DEFAULT_TTL", "0s", "auth.tokens.default_ttl");
    }

    @Test
    void defaultTokenLifetimeLongerThanTheMaximumStopsLoadingWithBothKeysNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources()
                        .environment(Map.of(
                                "GATEHOUSE_AUTH_TOKENS_DEFAULT_TTL", "2h", "GATEHOUSE_AUTH_TOKENS_MAX_TTL", "1h"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value for auth.tokens.default_ttl")
                .hasMessageContaining("auth.tokens.max_ttl");
    }

    @Test
    void badSizeStopsLoadingWithTheKeyNamed() {
        assertInvalid("GATEHOUSE_LIMITS_MAX_MESSAGE_BYTES", "64KB", "limits.max_message_bytes")
                .hasMessageContaining("64KiB");
        assertInvalid("GATEHOUSE_LIMITS_MAX_MESSAGE_BYTES", "0", "limits.max_message_bytes");
        assertInvalid("GATEHOUSE_LIMITS_MAX_MESSAGE_BYTES", "17MiB", "limits.max_message_bytes")
                .hasMessageContaining("16MiB");
    }

    @Test
    void badBooleanStopsLoadingWithTheKeyNamed() {
        assertInvalid("GATEHOUSE_AUTH_ALLOW_QUERY_TOKEN", "yes", "auth.allow_query_token")
                .hasMessageContaining("true or false");
    }

    @Test
    void badWholeNumberStopsLoadingWithTheKeyNamed() {
        assertInvalid("GATEHOUSE_DATABASE_POOL_SIZE", "0", "database.pool_size");
        assertInvalid("GATEHOUSE_CHANNELS_NAMESPACES_CHAT_HISTORY_SIZE", "-1", "channels.namespaces.chat.history_size");
    }

    @Test
    void shortJwtSecretStopsLoadingWithTheKeyNamedAndTheSecretNotShown() {
        assertInvalid("GATEHOUSE_AUTH_JWT_SECRET", "too-short-secret", "auth.jwt.secret")
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("too-short-secret");
    }

    @Test
    void aListWhereOneValueBelongsStopsLoadingWithTheKeyNamed() throws IOException {
        Path yaml = yaml("server: {port: [1, 2]}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port")
                .hasMessageContaining("a single value");
    }

    @Test
    void badNamespaceRuleStopsLoadingWithTheNamespaceKeyNamed() throws IOException {
        Path yaml = yaml("channels: {namespaces: {chat: {publish: everyone}}}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("channels.namespaces.chat.publish")
                .hasMessageContaining("'everyone'")
                .hasMessageContaining("server, authenticated or proxy");
        assertInvalid("GATEHOUSE_CHANNELS_NAMESPACES_CHAT_SUBSCRIBE", "anyone", "channels.namespaces.chat.subscribe")
                .hasMessageContaining("authenticated, none, admin or proxy");
    }

    @Test
    void badNamespaceNameStopsLoadingWithTheNameAndKeyNamed() throws IOException {
        Path yaml = yaml("channels: {namespaces: {\"chat:room\": {publish: authenticated}}}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid namespace name 'chat:room'")
                .hasMessageContaining("channels.namespaces.chat:room.publish");
    }

    @Test
    void badNameOfANamespaceWithoutKeysStopsLoading() throws IOException {
        Path yaml = yaml("channels: {namespaces: {\"inbox#x\": {}}}\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources().yamlFile(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid namespace name 'inbox#x'")
                .hasMessageContaining("channels.namespaces.inbox#x");
    }

    @Test
    void unsupportedBrokerOrDatabaseStopsLoadingWithTheKeyNamedAndNoPasswordShown() {
        assertInvalid("GATEHOUSE_BROKER_URL", "kafka://localhost:9092", "broker.url");
        assertInvalid("GATEHOUSE_DATABASE_URL", "jdbc:mysql://db/app?password=hunter2", "database.url")
                .hasMessageNotContaining("hunter2");
    }

    // --- identity sources ---

    @Test
    void identitySourcesDefaultToJwtWithNoOtherIssuers() {
        GatehouseConfig c = ConfigLoader.load(new ConfigSources());
        assertThat(c.auth().primarySource()).isEqualTo(GatehouseConfig.PrimarySource.JWT);
        assertThat(c.auth().jwt().otherIssuers()).isEmpty();
        assertThat(loadEnv("GATEHOUSE_AUTH_PRIMARY_SOURCE", "introspection")
                        .auth()
                        .primarySource())
                .isEqualTo(GatehouseConfig.PrimarySource.INTROSPECTION);
        assertThat(loadEnv("GATEHOUSE_AUTH_JWT_OTHER_ISSUERS", "partner=https://b.example/,hq=gatehouse")
                        .auth()
                        .jwt()
                        .otherIssuers())
                .containsExactly("partner=https://b.example/", "hq=gatehouse");
    }

    @Test
    void identitySourceSettingsAreChecked() {
        assertInvalid("GATEHOUSE_AUTH_PRIMARY_SOURCE", "local", "auth.primary_source");
        for (String bad : List.of(
                "https://b.example",
                "=https://b.example",
                "Partner=https://b.example",
                "p=",
                "a=x,a=y",
                "a=x,b=x",
                "toolongtoolongtoolongtoolongtoolong=x")) {
            assertInvalid("GATEHOUSE_AUTH_JWT_OTHER_ISSUERS", bad, "auth.jwt.other_issuers");
        }
        assertInvalid("GATEHOUSE_AUTH_JWT_ISSUER", "gatehouse", "auth.jwt.issuer");
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigSources()
                        .environment(Map.of(
                                "GATEHOUSE_AUTH_JWT_ISSUER",
                                "https://a.example",
                                "GATEHOUSE_AUTH_JWT_OTHER_ISSUERS",
                                "a=https://a.example"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.other_issuers");
    }

    private GatehouseConfig loadEnv(String name, String value) {
        return ConfigLoader.load(new ConfigSources().environment(Map.of(name, value)));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(String envName, String value, String key) {
        return assertThatThrownBy(() -> loadEnv(envName, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value for " + key + " ");
    }

    private Path yaml(String text) throws IOException {
        Path file = Files.createTempFile(dir, "gatehouse", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
