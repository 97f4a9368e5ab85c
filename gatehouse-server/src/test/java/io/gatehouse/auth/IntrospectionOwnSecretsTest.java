package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gatehouse's own secrets never go to the application's introspection endpoint. */
class IntrospectionOwnSecretsTest {
    @Test
    void sessionSecretsApiKeysAndCsrfTokensAreNotClaimed() {
        var config = ConfigLoader.load(new ConfigSources()
                .environment(Map.of(ConfigKey.AUTH_INTROSPECTION_URL.envName(), "http://127.0.0.1:9/introspect")));
        IntrospectionVerifier v = IntrospectionVerifier.forConfig(config.auth().introspection(), Clock.systemUTC());
        assertThat(v.claims("ghs_" + "A".repeat(43))).isFalse();
        assertThat(v.claims("ghk_" + "A".repeat(43))).isFalse();
        assertThat(v.claims("ghc_" + "A".repeat(43))).isFalse();
        assertThat(v.claims("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")).isTrue(); // a DRF token
    }
}
