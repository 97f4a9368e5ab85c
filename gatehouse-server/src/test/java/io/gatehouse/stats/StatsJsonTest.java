package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.protocol.RefusalCode;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented shapes (docs/protocol.md, "Live statistics"). */
class StatsJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StatsJson json = new StatsJson(JSON.getFactory());

    private static Sample sample(long uptime, Map<RefusalCode, Double> refused, double cpu) {
        return new Sample(
                Instant.parse("2026-12-02T10:15:30.123Z").plusMillis(uptime),
                3,
                1.5,
                refused,
                10.25,
                20.5,
                30,
                1,
                2,
                4,
                1000,
                8000,
                cpu,
                uptime);
    }

    @Test
    void aSampleHasEveryFieldWithItsUnit() throws Exception {
        Map<RefusalCode, Double> refused = new EnumMap<>(RefusalCode.class);
        refused.put(RefusalCode.TOKEN_INVALID, 0.5);
        refused.put(RefusalCode.ORIGIN_NOT_ALLOWED, 2.0);

        JsonNode push = JSON.readTree(json.push("127.0.0.1:8080", sample(5000, refused, 0.25)));

        assertThat(push.fieldNames()).toIterable().containsExactly("node", "now");
        assertThat(push.path("node").asText()).isEqualTo("127.0.0.1:8080");
        assertThat(push.path("now").toString())
                .isEqualTo("{\"at\":\"2026-12-02T10:15:35.123Z\",\"connections\":3,\"upgrades_accepted\":1.5,"
                        + "\"upgrades_refused\":{\"TOKEN_INVALID\":0.5,\"ORIGIN_NOT_ALLOWED\":2.0},"
                        + "\"messages_in\":10.25,\"messages_out\":20.5,\"deliveries\":30.0,\"slow_consumers\":1,"
                        + "\"access_log_queue\":2,\"webhook_queue\":4,\"heap_used_bytes\":1000,\"heap_max_bytes\":8000,"
                        + "\"cpu_process\":0.25,\"uptime_ms\":5000}");
    }

    @Test
    void anUnmeasuredCpuIsNull() throws Exception {
        JsonNode push = JSON.readTree(json.push("n", sample(0, Map.of(), Double.NaN)));

        assertThat(push.path("now").path("cpu_process").isNull()).isTrue();
        assertThat(push.path("now").path("upgrades_refused").isObject()).isTrue();
        assertThat(push.path("now").path("upgrades_refused").size()).isZero();
    }

    @Test
    void theWholeStatsEndsItsHistoryWithNow() throws Exception {
        List<Sample> history = List.of(sample(1000, Map.of(), 0), sample(2000, Map.of(), 0), sample(3000, Map.of(), 0));

        JsonNode stats =
                JSON.readTree(json.full("n1", "1.2.3", Instant.parse("2026-12-02T10:15:30.123Z"), 1000, history));

        assertThat(stats.fieldNames())
                .toIterable()
                .containsExactly("node", "version", "started_at", "uptime_ms", "interval_ms", "now", "history");
        assertThat(stats.path("version").asText()).isEqualTo("1.2.3");
        assertThat(stats.path("started_at").asText()).isEqualTo("2026-12-02T10:15:30.123Z");
        assertThat(stats.path("uptime_ms").asLong()).isEqualTo(3000);
        assertThat(stats.path("interval_ms").asLong()).isEqualTo(1000);
        assertThat(stats.path("history")).hasSize(3);
        assertThat(stats.path("history").get(0).path("uptime_ms").asLong()).isEqualTo(1000);
        assertThat(stats.path("history").get(2)).isEqualTo(stats.path("now"));
    }
}
