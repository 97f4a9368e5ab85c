package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deployment's part of get_stats: every node's newest sample, and their total. */
class DeploymentStatsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTotalAddsUpTheNodesSamplesAndSkipsWhatCannotBeRead() throws Exception {
        String own = "{\"node\":\"a:1\",\"history\":[],\"now\":{\"connections\":3}}";
        String a = "{\"node\":\"a:1\",\"now\":{\"at\":\"2026-12-02T16:00:00Z\",\"connections\":3,"
                + "\"messages_in\":1.5,\"upgrades_refused\":{\"RATE_LIMITED\":2.0},\"cpu_process\":null,"
                + "\"uptime_ms\":10}}";
        String b = "{\"node\":\"b:2\",\"now\":{\"at\":\"2026-12-02T16:00:00Z\",\"connections\":4,"
                + "\"messages_in\":0.5,\"upgrades_refused\":{\"RATE_LIMITED\":1.0,\"TOKEN_INVALID\":3.0},"
                + "\"cpu_process\":0.25,\"uptime_ms\":20}}";
        JsonNode stats = JSON.readTree(DeploymentStats.with(JSON, own, List.of(a, b, "{not json", "{}")));

        assertThat(stats.path("node").asText()).isEqualTo("a:1");
        assertThat(stats.path("history").isArray()).isTrue();
        assertThat(stats.path("nodes")).hasSize(2);
        JsonNode total = stats.path("total");
        assertThat(total.path("nodes").asInt()).isEqualTo(2);
        assertThat(total.path("connections").asDouble()).isEqualTo(7);
        assertThat(total.path("messages_in").asDouble()).isEqualTo(2);
        assertThat(total.path("upgrades_refused").path("RATE_LIMITED").asDouble())
                .isEqualTo(3);
        assertThat(total.path("upgrades_refused").path("TOKEN_INVALID").asDouble())
                .isEqualTo(3);
        assertThat(total.path("cpu_process").asDouble()).isEqualTo(0.25);
        assertThat(total.has("at")).isFalse();
        assertThat(total.has("uptime_ms")).isFalse();
    }
}
