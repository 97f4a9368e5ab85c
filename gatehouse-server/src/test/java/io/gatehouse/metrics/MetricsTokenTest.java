package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 10 point 9: with {@code metrics.token} set, {@code GET /metrics} needs {@code Authorization: Bearer <metrics.token>}. */
class MetricsTokenTest {
    static final String TOKEN = "Zt1q0bP9x-Lw7sYcVn3KmA2eRd8uGh4JfOiE";

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("metrics.token", TOKEN);

    @Test
    void withoutTheTokenMetricsAreRefused() {
        TestGatehouse.Reply none = server.get("/metrics");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
        assertThat(none.raw().body()).doesNotContain("gatehouse_");

        TestGatehouse.Reply wrong = server.get("/metrics", "Authorization", "Bearer " + TOKEN + "x");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
        assertThat(wrong.raw().body()).doesNotContain(TOKEN);
    }

    @Test
    void withTheTokenMetricsAreServed() {
        TestGatehouse.Reply ok = server.get("/metrics", "Authorization", "Bearer " + TOKEN);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.raw().body()).contains("gatehouse_");
    }

    @Test
    void healthStaysOpen() {
        assertThat(server.get("/health").status()).isEqualTo(200);
    }
}
