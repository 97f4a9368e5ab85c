package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Configuration records print which secrets are set, never the secrets. */
class ConfigSecrecyTest {
    @Test
    void theDatabasePasswordAndUrlStayOutOfToString() {
        String text =
                new GatehouseConfig.Database("jdbc:postgresql://db/x?password=hunter2", "app", "hunter2", 4).toString();
        assertThat(text).doesNotContain("hunter2").contains("password set");
    }

    @Test
    void theJwtSecretAndSigningKeyStayOutOfToString() {
        String text = new GatehouseConfig.Jwt(
                        "s3cret-s3cret-s3cret-s3cret-s3cret",
                        List.of(),
                        "issuer",
                        "",
                        Duration.ofSeconds(30),
                        "",
                        Duration.ofMinutes(5),
                        "-----BEGIN PRIVATE KEY-----abc",
                        List.of(),
                        Set.of("HS256"),
                        List.of())
                .toString();
        assertThat(text).doesNotContain("s3cret").doesNotContain("PRIVATE").contains("secret set");
    }
}
