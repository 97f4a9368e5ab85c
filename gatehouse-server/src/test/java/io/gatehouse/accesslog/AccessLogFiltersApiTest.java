package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /api/v1/access-log}'s refusal view (docs/protocol.md, "Access log"): the code and
 * hint of each refused row, and the code, refused, since and until filters. Each test reads rows of
 * its own client IP, so tests sharing the server never read each other's.
 */
class AccessLogFiltersApiTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = "apikey " + server.apiKey("admin");
    }

    @Test
    void aRefusedRowCarriesItsCodeAndTheCodesDocumentedHintAndAnAcceptedRowNeither() {
        String agent = "agent-" + System.nanoTime();
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "User-Agent", agent)) {
            ws.send("{\"type\":\"auth\"}");
            ws.awaitClose();
        }
        server.connectAs("cody").close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> entries("code=TOKEN_MISSING&limit=1000").stream()
                                .anyMatch(e -> agent.equals(e.path("user_agent").asText()))
                        && !entries("user=cody").isEmpty());

        JsonNode refused = entries("code=TOKEN_MISSING&limit=1000").stream()
                .filter(e -> agent.equals(e.path("user_agent").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(refused.path("outcome").asText()).isEqualTo("TOKEN_MISSING");
        assertThat(refused.path("code").asText()).isEqualTo("TOKEN_MISSING");
        assertThat(refused.path("hint").asText()).isEqualTo(RefusalCode.TOKEN_MISSING.defaultHint());

        JsonNode accepted = entries("user=cody").get(0);
        assertThat(accepted.path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(accepted.has("code")).isTrue();
        assertThat(accepted.path("code").isNull()).isTrue();
        assertThat(accepted.path("hint").isNull()).isTrue();
    }

    @Test
    void codeRefusedSinceAndUntilFilterTheRows() {
        String ip = "10.77." + ThreadLocalRandom.current().nextInt(256) + "."
                + ThreadLocalRandom.current().nextInt(256);
        Instant t0 = Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        new AccessLogStore(server.gatehouse().database())
                .write(List.of(
                        row(t0, ip, "TOKEN_INVALID", "r0"),
                        row(t0.plusSeconds(1), ip, AccessLogEntry.ACCEPTED, "r1"),
                        row(t0.plusSeconds(2), ip, "ORIGIN_NOT_ALLOWED", "r2"),
                        row(t0.plusSeconds(3), ip, "TOKEN_INVALID", "r3")));
        String at1 = time(t0.plusSeconds(1));
        String at3 = time(t0.plusSeconds(3));

        assertThat(ids("ip=" + ip + "&refused=true")).containsExactly("r3", "r2", "r0");
        assertThat(ids("ip=" + ip + "&refused=false")).containsExactly("r3", "r2", "r1", "r0");
        assertThat(ids("ip=" + ip + "&code=TOKEN_INVALID")).containsExactly("r3", "r0");
        assertThat(ids("ip=" + ip + "&code=TOKEN_INVALID&outcome=TOKEN_INVALID"))
                .containsExactly("r3", "r0");
        assertThat(ids("ip=" + ip + "&since=" + at1)).containsExactly("r3", "r2", "r1");
        assertThat(ids("ip=" + ip + "&until=" + at3)).containsExactly("r2", "r1", "r0");
        assertThat(ids("ip=" + ip + "&since=" + at1 + "&until=" + at3 + "&refused=true"))
                .containsExactly("r2");
        // another zone, the same instant
        String plusOne =
                t0.plusSeconds(2).atOffset(java.time.ZoneOffset.ofHours(1)).toString();
        assertThat(ids("ip=" + ip + "&since=" + enc(plusOne))).containsExactly("r3", "r2");

        JsonNode r2 = entries("ip=" + ip + "&code=ORIGIN_NOT_ALLOWED").get(0);
        assertThat(r2.path("hint").asText()).isEqualTo(RefusalCode.ORIGIN_NOT_ALLOWED.defaultHint());
    }

    @ParameterizedTest(name = "{0} → 400")
    @ValueSource(
            strings = {
                "code=NOPE",
                "code=token_missing",
                "code=ACCEPTED",
                "code=TOKEN_INVALID&outcome=TOKEN_MISSING",
                "refused=yes",
                "since=yesterday",
                "since=2026-12-02",
                "since=2026-12-02T08:00:00",
                "until=1733126400",
                "since=2026-12-02T09:00:00Z&until=2026-12-02T08:00:00Z",
                "limit=0",
            })
    void aBadFilterIsABadRequestWithAHint(String query) {
        TestGatehouse.Reply r = server.get("/api/v1/access-log?" + query, "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).isNotBlank();
    }

    @Test
    void filterValuesAreBounded() {
        for (String query : List.of(
                "user=" + "u".repeat(256),
                "ip=" + "1".repeat(65),
                "outcome=" + "O".repeat(65),
                "since=" + "2".repeat(65))) {
            TestGatehouse.Reply r = server.get("/api/v1/access-log?" + query, "Authorization", adminKey);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        }
        assertThat(server.get("/api/v1/access-log?user=" + "u".repeat(255), "Authorization", adminKey)
                        .status())
                .isEqualTo(200);
    }

    private static AccessLogEntry row(Instant time, String ip, String outcome, String connectionId) {
        return AccessLogEntry.attempt(time, ip, null, "filters-test", null, null, outcome, null, connectionId);
    }

    private static String time(Instant t) {
        return enc(t.toString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> ids(String query) {
        return entries(query).stream()
                .map(e -> e.path("connection_id").asText())
                .toList();
    }

    private static List<JsonNode> entries(String query) {
        TestGatehouse.Reply r = server.get("/api/v1/access-log?" + query, "Authorization", adminKey);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("entries").spliterator(), false)
                .toList();
    }
}
