package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /api/v1/connections/{id}/disconnect}: one connection, closed with the chosen code. */
class ConnectionDisconnectTest {
    private static final Map<String, Object> UNLIMITED = Map.of("rate", 10_000, "burst", 10_000);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("limits.upgrades_per_ip", UNLIMITED);

    static BrowserSession admin;
    static String adminKey;

    @BeforeAll
    static void users() {
        server.user("boss", "boss-password-123", true);
        admin = BrowserSession.login(server, "boss", "boss-password-123");
        adminKey = "apikey " + server.apiKey("admin");
    }

    @Test
    void anAdminSessionClosesOneConnectionWithTheChosenCodeAndTheOthersStay() {
        try (WsRecorder first = server.connectAs("dana");
                WsRecorder second = server.connectAs("dana")) {
            String id = first.established().path("connection_id").asText();

            TestGatehouse.Reply r = AdminSessionApiTest.send(
                    server,
                    "POST",
                    "/api/v1/connections/" + id + "/disconnect",
                    "{\"code\":\"TOKEN_EXPIRED\"}",
                    admin,
                    true);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(TestGatehouse.JSON.createObjectNode().put("disconnected", id));
            assertThat(first.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_EXPIRED"));
            second.assertAlive();
            String kept = second.established().path("connection_id").asText();
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(connectionIds("dana")).containsExactly(kept));
        }
    }

    @Test
    void withoutACodeItIsDisconnectedAndAnApiKeyMayDoItToo() {
        try (WsRecorder ws = server.connectAs("eli")) {
            String id = ws.established().path("connection_id").asText();
            TestGatehouse.Reply r =
                    server.post("/api/v1/connections/" + id + "/disconnect", "", "Authorization", adminKey);
            assertThat(r.status()).isEqualTo(200);
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4410, "DISCONNECTED"));
        }
    }

    @Test
    void theAccessLogNamesTheAdminAndTheConnection() {
        try (WsRecorder ws = server.connectAs("finn")) {
            String id = ws.established().path("connection_id").asText();
            assertThat(AdminSessionApiTest.send(
                                    server, "POST", "/api/v1/connections/" + id + "/disconnect", "{}", admin, true)
                            .status())
                    .isEqualTo(200);
            ws.awaitClose();
            List<JsonNode> rows = awaitActions();
            assertThat(rows).anySatisfy(row -> {
                assertThat(row.path("action").asText()).isEqualTo("connection.disconnect");
                assertThat(row.path("target").asText()).isEqualTo(id + " code=DISCONNECTED");
                assertThat(row.path("user_id").asText()).isEqualTo("local:boss");
            });
        }
    }

    @Test
    void aWellFormedIdOfNoOpenConnectionIsNotFound() {
        String closed;
        try (WsRecorder ws = server.connectAs("gil")) {
            closed = ws.established().path("connection_id").asText();
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> connectionIds("gil").isEmpty());
        for (String id : List.of("0123456789abcdef0123456789abcdef", closed)) {
            TestGatehouse.Reply r =
                    server.post("/api/v1/connections/" + id + "/disconnect", "{}", "Authorization", adminKey);
            assertThat(r.status()).as(id).isEqualTo(404);
            assertThat(r.body().path("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(r.body().path("hint").asText()).contains(id);
        }
    }

    @ParameterizedTest(name = "{0} {1} → 400")
    @CsvSource(
            delimiter = '|',
            value = {
                "not-a-connection-id                  | {}",
                "0123456789ABCDEF0123456789ABCDEF     | {}",
                "0123456789abcdef0123456789abcdef00   | {}",
                "0123456789abcdef0123456789abcdef     | {\"code\":\"NOPE\"}",
                "0123456789abcdef0123456789abcdef     | {\"code\":4410}",
                "0123456789abcdef0123456789abcdef     | [1]",
            })
    void aMalformedIdOrCodeIsABadRequest(String id, String body) {
        TestGatehouse.Reply r =
                server.post("/api/v1/connections/" + id + "/disconnect", body, "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).isNotBlank();
    }

    @Test
    void aNonAdminSessionIsRefused() {
        server.user("nobody", "nobody-password-123", false);
        BrowserSession s = BrowserSession.login(server, "nobody", "nobody-password-123");
        try (WsRecorder ws = server.connectAs("hana")) {
            String id = ws.established().path("connection_id").asText();
            TestGatehouse.Reply r = AdminSessionApiTest.send(
                    server, "POST", "/api/v1/connections/" + id + "/disconnect", "{}", s, true);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
            ws.assertAlive();
        }
    }

    private static List<String> connectionIds(String user) {
        JsonNode list = server.get("/api/v1/connections?user=" + user, "Authorization", adminKey)
                .body()
                .path("connections");
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .map(c -> c.path("connection_id").asText())
                .toList();
    }

    private static List<JsonNode> awaitActions() {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> actions().stream()
                        .anyMatch(r -> r.path("action").asText().equals("connection.disconnect")));
        return actions();
    }

    private static List<JsonNode> actions() {
        JsonNode entries = server.get("/api/v1/access-log?user=local:boss&limit=1000", "Authorization", adminKey)
                .body()
                .path("entries");
        return java.util.stream.StreamSupport.stream(entries.spliterator(), false)
                .toList();
    }
}
