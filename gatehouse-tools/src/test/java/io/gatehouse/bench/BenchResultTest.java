package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchResultTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonHasSnakeCaseSectionsAndLeavesOutTheOnesNotMeasured() throws Exception {
        JsonNode json = JSON.readTree(connectResult(List.of()).toJson());

        assertThat(json.get("scenario").asText()).isEqualTo("connect");
        assertThat(json.get("passed").asBoolean()).isTrue();
        assertThat(json.get("url").asText()).isEqualTo("http://127.0.0.1:8080");
        assertThat(json.get("settings").get("connections").asInt()).isEqualTo(10_000);
        assertThat(json.get("client").get("threads").asInt()).isEqualTo(1);
        JsonNode handshakes = json.get("handshakes");
        assertThat(handshakes.get("succeeded").asInt()).isEqualTo(9_998);
        assertThat(handshakes.get("per_second").asDouble()).isEqualTo(16_125.8);
        assertThat(handshakes.get("latency").get("p50_ms").asDouble()).isEqualTo(3.1);
        assertThat(handshakes.get("latency").get("p999_ms").asDouble()).isEqualTo(15.0);
        assertThat(handshakes.get("failures").get("connection lost").asInt()).isEqualTo(2);
        JsonNode memory = json.get("memory");
        assertThat(memory.get("rss_before_bytes").asLong()).isEqualTo(100L << 20);
        assertThat(memory.get("rss_per_connection_bytes").asDouble())
                .isCloseTo(10_485.76, org.assertj.core.data.Offset.offset(0.01));
        assertThat(memory.has("heap_before_bytes")).isFalse();
        assertThat(memory.has("heap_per_connection_bytes")).isFalse();
        assertThat(json.get("cpu").get("bench_cores").asDouble()).isEqualTo(0.5);
        assertThat(json.has("deliveries")).isFalse();
        assertThat(json.get("problems")).isEmpty();
        assertThat(json.fieldNames())
                .toIterable()
                .startsWith("scenario", "passed", "url", "started_at", "settings", "client");
    }

    @Test
    void problemsFailTheResultAndEndItsSummary() {
        BenchResult failed = connectResult(List.of("2 of 10,000 handshakes failed"));

        assertThat(failed.passed()).isFalse();
        assertThat(failed.summary())
                .contains("16,126 handshakes/s", "p50 3.10 ms", "failed x2: connection lost", "10.2 KiB per connection")
                .endsWith("FAILED: 2 of 10,000 handshakes failed" + System.lineSeparator());
        assertThat(connectResult(List.of()).summary()).endsWith("PASSED" + System.lineSeparator());
    }

    private static BenchResult connectResult(List<String> problems) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("connections", 10_000);
        settings.put("rate", 20_000.0);
        Handshakes handshakes = new Handshakes(
                10_000,
                9_998,
                2,
                0.62,
                16_125.8,
                new Percentiles(9_998, 3.1, 12.0, 15.0, 20.1, 4.0),
                Map.of("connection lost", 2));
        MemoryUse memory = new MemoryUse(4242, 10_000, 100L << 20, 200L << 20, null, null);
        return new BenchResult(
                "connect",
                "http://127.0.0.1:8080",
                "2026-11-22T10:00:00Z",
                settings,
                Map.of("threads", 1, "transport", "epoll", "source_addresses", 16),
                handshakes,
                null,
                null,
                null,
                memory,
                new CpuUse(0.62, 0.98, 0.5),
                problems,
                List.of());
    }
}
