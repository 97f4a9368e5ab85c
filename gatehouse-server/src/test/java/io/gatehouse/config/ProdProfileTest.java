package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code profile: prod} (SPEC §1): a production configuration loads; each unsafe setting, given as
 * an environment variable over it, is refused with the key to fix; all of them are reported at once.
 */
class ProdProfileTest {
    /** Safe for production: every check of the prod profile passes. */
    static final String SAFE = """
            profile: prod
            server:
              trusted_proxies: [10.0.0.0/8]
              allowed_origins: [https://app.example.com]
            auth:
              allow_query_token: false
              jwt:
                secret: "a-production-secret-of-at-least-32-bytes"
            """;

    @TempDir
    Path dir;

    Path safe;

    @BeforeEach
    void writeSafeConfig() throws IOException {
        safe = Files.writeString(dir.resolve("gatehouse.yaml"), SAFE);
    }

    @Test
    void aSafeProductionConfigurationLoads() {
        GatehouseConfig c = load(Map.of());

        assertThat(c.profile()).isEqualTo(GatehouseConfig.Profile.PROD);
        assertThat(c.auth().session().enabled()).isTrue();
        assertThat(c.server().tlsTerminatedUpstream()).isFalse();
    }

    @Test
    void theDevProfileAcceptsTheUnsafeDefaults() {
        GatehouseConfig c = ConfigLoader.defaults();

        assertThat(c.profile()).isEqualTo(GatehouseConfig.Profile.DEV);
        assertThat(c.auth().jwt().secret()).isEmpty();
        assertThat(c.auth().allowQueryToken()).isTrue();
    }

    @ParameterizedTest(name = "{0}={1} is refused naming {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "GATEHOUSE_AUTH_JWT_SECRET; ''; auth.jwt.secret; a secret is generated into data_dir",
                "GATEHOUSE_SERVER_ALLOWED_ORIGINS; ''; server.allowed_origins; while cookie sessions are on",
                "GATEHOUSE_AUTH_ALLOW_QUERY_TOKEN; true; auth.allow_query_token; set it to false",
                "GATEHOUSE_SERVER_TRUSTED_PROXIES; ''; server.trusted_proxies; server.tls_terminated_upstream: true",
            })
    void eachUnsafeSettingIsRefusedWithTheKeyToFixAndWhereItCameFrom(
            String variable, String value, String key, String advice) {
        String message = refusal(Map.of(variable, value));

        assertThat(message.lines().toList()).hasSize(2);
        assertThat(message.lines().toList().get(0))
                .isEqualTo(
                        "profile prod (config file " + safe
                                + ") refuses an unsafe setting; fix each key below, or use profile dev on a development machine:");
        assertThat(message.lines().toList().get(1))
                .startsWith("  " + key + " (environment variable " + variable + "): ")
                .contains(advice);
    }

    /** Issue 10 point 9: what the prod profile also refuses, each naming the key to fix. */
    @ParameterizedTest(name = "{0}={1} is refused naming {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "GATEHOUSE_SERVER_TRUSTED_PROXIES; 0.0.0.0/0; server.trusted_proxies; trusts every address",
                "GATEHOUSE_SERVER_TRUSTED_PROXIES; ::/0; server.trusted_proxies; trusts every address",
                "GATEHOUSE_AUTH_JWT_SECRET; aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; auth.jwt.secret; distinct characters",
                "GATEHOUSE_AUTH_JWT_SECRET; 0123456789abcdefgh0123456789abcdefgh; auth.jwt.secret; repeated",
                "GATEHOUSE_SERVER_ALLOWED_ORIGINS; http://app.example.com; server.allowed_origins; plain http while TLS is on",
                "GATEHOUSE_AUTH_SESSION_TTL; 31d; auth.session.ttl; at most 30d",
                "GATEHOUSE_AUTH_SESSION_CSRF_MAX_AGE; 25h; auth.session.csrf_max_age; at most 24h",
                "GATEHOUSE_AUTH_TOKENS_MAX_TTL; 366d; auth.tokens.max_ttl; at most 365d",
                "GATEHOUSE_AUTH_JWT_CLOCK_SKEW; 6m; auth.jwt.clock_skew; at most 5m",
                "GATEHOUSE_HEARTBEAT_INTERVAL; 6m; heartbeat.interval; at most 5m",
                "GATEHOUSE_HEARTBEAT_TIMEOUT; 301s; heartbeat.timeout; at most 5m",
                "GATEHOUSE_LIMITS_OUTBOUND_BUFFER; 257MiB; limits.outbound_buffer; at most 256MiB",
                "GATEHOUSE_LIMITS_CONNECTIONS_PER_USER; 10001; limits.connections_per_user; at most 10000",
                "GATEHOUSE_METRICS_TOKEN; metrics; metrics.token; shorter than 32 bytes",
                "GATEHOUSE_SERVER_REQUEST_TIMEOUT; 61s; server.request_timeout; at most 1m",
                "GATEHOUSE_SERVER_IDLE_TIMEOUT; 11m; server.idle_timeout; at most 10m",
                "GATEHOUSE_LIMITS_CONNECTIONS_PER_IP; 100001; limits.connections_per_ip; at most 100000",
                "GATEHOUSE_LIMITS_SUBSCRIPTIONS_PER_CONNECTION; 10001; limits.subscriptions_per_connection; at most 10000",
            })
    void eachNewlyRefusedSettingNamesItsKey(String variable, String value, String key, String advice) {
        eachUnsafeSettingIsRefusedWithTheKeyToFixAndWhereItCameFrom(variable, value, key, advice);
    }

    @Test
    void theSaneMaximaThemselvesLoad() {
        GatehouseConfig c = load(Map.of(
                "GATEHOUSE_AUTH_SESSION_TTL",
                "30d",
                "GATEHOUSE_AUTH_TOKENS_MAX_TTL",
                "365d",
                "GATEHOUSE_LIMITS_OUTBOUND_BUFFER",
                "256MiB",
                "GATEHOUSE_LIMITS_CONNECTIONS_PER_USER",
                "10000",
                "GATEHOUSE_HEARTBEAT_INTERVAL",
                "5m",
                "GATEHOUSE_METRICS_TOKEN",
                "Zt1q0bP9x-Lw7sYcVn3KmA2eRd8uGh4JfOiE"));
        assertThat(c.metrics().token()).isNotEmpty();
    }

    @Test
    void loopbackHttpOriginsStayAllowedBehindTls() {
        GatehouseConfig c = load(Map.of(
                "GATEHOUSE_SERVER_ALLOWED_ORIGINS",
                "https://app.example.com,http://localhost:3000,http://127.0.0.1:5173"));
        assertThat(c.server().allowedOrigins()).hasSize(3);
    }

    @Test
    void metricsOnANonLoopbackAddressNeedAMetricsToken() {
        String message = refusal(Map.of("GATEHOUSE_SERVER_HOST", "0.0.0.0"));
        assertThat(message.lines().skip(1).toList())
                .singleElement()
                .asString()
                .startsWith("  metrics.token (default): empty while server.host is 0.0.0.0");

        GatehouseConfig c = load(Map.of(
                "GATEHOUSE_SERVER_HOST", "0.0.0.0", "GATEHOUSE_METRICS_TOKEN", "Zt1q0bP9x-Lw7sYcVn3KmA2eRd8uGh4JfOiE"));
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void asymmetricJwtsWithoutIssuerAndAudienceAreRefusedNamingBoth() {
        String message =
                refusal(Map.of("GATEHOUSE_AUTH_JWT_JWKS_URL", "https://login.example.com/.well-known/jwks.json"));

        List<String> problems = message.lines().skip(1).toList();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("  auth.jwt.issuer (default): empty while auth.jwt.jwks_url is set");
        assertThat(problems.get(1)).startsWith("  auth.jwt.audience (default): empty while auth.jwt.jwks_url is set");
    }

    @Test
    void publicKeysWithAnIssuerButNoAudienceAreRefusedNamingTheAudience() {
        String message = refusal(Map.of(
                "GATEHOUSE_AUTH_JWT_PUBLIC_KEYS",
                "/etc/gatehouse/app-rs256.pem",
                "GATEHOUSE_AUTH_JWT_ISSUER",
                "https://login.example.com/"));

        assertThat(message.lines().skip(1).toList())
                .singleElement()
                .asString()
                .startsWith("  auth.jwt.audience (default): empty while auth.jwt.public_keys is set");
    }

    @Test
    void asymmetricJwtsWithIssuerAndAudienceLoad() {
        GatehouseConfig c = load(Map.of(
                "GATEHOUSE_AUTH_JWT_JWKS_URL",
                "https://login.example.com/.well-known/jwks.json",
                "GATEHOUSE_AUTH_JWT_ISSUER",
                "https://login.example.com/",
                "GATEHOUSE_AUTH_JWT_AUDIENCE",
                "gatehouse"));

        assertThat(c.auth().jwt().acceptsIssuerKeys()).isTrue();
    }

    @Test
    void aTokenOnlyDeploymentNeedsNoAllowedOriginsOnceCookieSessionsAreOff() {
        GatehouseConfig c =
                load(Map.of("GATEHOUSE_SERVER_ALLOWED_ORIGINS", "", "GATEHOUSE_AUTH_SESSION_ENABLED", "false"));

        assertThat(c.server().allowedOrigins()).isEmpty();
        assertThat(c.auth().session().enabled()).isFalse();
    }

    @Test
    void tlsTerminatedUpstreamStandsInForATrustedProxy() {
        GatehouseConfig c = load(
                Map.of("GATEHOUSE_SERVER_TRUSTED_PROXIES", "", "GATEHOUSE_SERVER_TLS_TERMINATED_UPSTREAM", "true"));

        assertThat(c.server().trustedProxies()).isEmpty();
        assertThat(c.server().tlsTerminatedUpstream()).isTrue();
    }

    @Test
    void sameSiteNoneWithoutTlsInFrontIsRefusedNamingTheKey() {
        String message = refusal(Map.of(
                "GATEHOUSE_AUTH_SESSION_SAME_SITE", "none",
                "GATEHOUSE_SERVER_TRUSTED_PROXIES", ""));

        assertThat(message.lines())
                .anySatisfy(line -> assertThat(line)
                        .startsWith(
                                "  auth.session.same_site (environment variable GATEHOUSE_AUTH_SESSION_SAME_SITE): ")
                        .contains("Secure")
                        .contains("server.trusted_proxies"));
    }

    @Test
    void sameSiteNoneLoadsWithTlsInFront() {
        assertThat(load(Map.of("GATEHOUSE_AUTH_SESSION_SAME_SITE", "none"))
                        .auth()
                        .session()
                        .sameSite())
                .isEqualTo(GatehouseConfig.SameSite.NONE);
        assertThat(load(Map.of(
                                "GATEHOUSE_AUTH_SESSION_SAME_SITE",
                                "none",
                                "GATEHOUSE_SERVER_TRUSTED_PROXIES",
                                "",
                                "GATEHOUSE_SERVER_TLS_TERMINATED_UPSTREAM",
                                "true"))
                        .auth()
                        .session()
                        .sameSite())
                .isEqualTo(GatehouseConfig.SameSite.NONE);
    }

    @Test
    void wildcardOriginsAreRefusedInEveryProfile() {
        for (String wildcard : List.of("*", "https://*.example.com")) {
            assertThatThrownBy(() -> load(Map.of("GATEHOUSE_SERVER_ALLOWED_ORIGINS", wildcard)))
                    .as(wildcard)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid value for server.allowed_origins");
            assertThatThrownBy(() ->
                            load(Map.of("GATEHOUSE_PROFILE", "dev", "GATEHOUSE_SERVER_ALLOWED_ORIGINS", wildcard)))
                    .as(wildcard)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid value for server.allowed_origins");
        }
    }

    @Test
    void theEmbeddedDefaultsUnderProdReportEveryProblemAtOnceOneLineEach() {
        ConfigSources sources = new ConfigSources().flag(ConfigKey.PROFILE, "prod", "--profile");

        assertThatThrownBy(() -> ConfigLoader.load(sources))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    List<String> lines = e.getMessage().lines().toList();
                    assertThat(lines.get(0)).startsWith("profile prod (flag --profile) refuses 4 unsafe settings;");
                    assertThat(lines.subList(1, lines.size()))
                            .map(l -> l.substring(2, l.indexOf(' ', 2)))
                            .containsExactly(
                                    "auth.jwt.secret",
                                    "server.allowed_origins",
                                    "auth.allow_query_token",
                                    "server.trusted_proxies");
                });
    }

    @Test
    void everyProblemIsReportedTogetherWithTheAsymmetricOnes() {
        String message = refusal(Map.of(
                "GATEHOUSE_AUTH_JWT_SECRET",
                "",
                "GATEHOUSE_SERVER_ALLOWED_ORIGINS",
                "",
                "GATEHOUSE_AUTH_ALLOW_QUERY_TOKEN",
                "true",
                "GATEHOUSE_AUTH_JWT_PUBLIC_KEYS",
                "/etc/gatehouse/app-rs256.pem",
                "GATEHOUSE_SERVER_TRUSTED_PROXIES",
                ""));

        assertThat(message.lines().toList()).hasSize(7);
        assertThat(message.lines().toList().get(0)).contains("refuses 6 unsafe settings");
    }

    @Test
    void anUnknownProfileIsAnInvalidValue() {
        assertThatThrownBy(() -> load(Map.of("GATEHOUSE_PROFILE", "production")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "invalid value for profile (environment variable GATEHOUSE_PROFILE): 'production': expected dev or prod");
    }

    @Test
    void anInvalidValueIsReportedBeforeTheProdChecks() {
        assertThatThrownBy(() ->
                        load(Map.of("GATEHOUSE_AUTH_SESSION_ENABLED", "sometimes", "GATEHOUSE_AUTH_JWT_SECRET", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid value for auth.session.enabled");
    }

    private GatehouseConfig load(Map<String, String> environment) {
        return ConfigLoader.load(new ConfigSources().yamlFile(safe).environment(environment));
    }

    @Test
    void weakSecretsOfAJwtRotationAndOfTheChannelProxyAreRefusedNamingTheirKeys() {
        String message = refusal(Map.of(
                "GATEHOUSE_AUTH_JWT_SECRET", "",
                "GATEHOUSE_AUTH_JWT_SECRETS", "k2=" + "a".repeat(40) + ",k1=a-production-secret-of-at-least-32-bytes",
                "GATEHOUSE_CHANNELS_PROXY_URL", "https://app.example.com/gatehouse/proxy",
                "GATEHOUSE_CHANNELS_PROXY_SECRET", "0123456789abcdefgh0123456789abcdefgh"));
        assertThat(message.lines().toList())
                .hasSize(3)
                .anySatisfy(l -> assertThat(l).startsWith("  auth.jwt.secrets ").contains("distinct characters"))
                .anySatisfy(l ->
                        assertThat(l).startsWith("  channels.proxy.secret ").contains("repeated"));
        assertThat(message).doesNotContain("a".repeat(40)).doesNotContain("a-production-secret");
    }

    private String refusal(Map<String, String> environment) {
        try {
            load(environment);
            throw new AssertionError("expected the prod profile to refuse " + environment + ", but it loaded");
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }
}
