package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin endpoints with an admin user's cookie session (docs/protocol.md, "Admin API"): allowed
 * where an admin API key is, with the same Origin and CSRF rules as every cookie request; a
 * non-admin session is 403; the admin's actions are access-log rows naming the admin.
 */
class AdminSessionApiTest {
    private static final Map<String, Object> UNLIMITED = Map.of("rate", 10_000, "burst", 10_000);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.lobby", Map.of("presence", true))
            .with("limits.auth_failures_per_ip", UNLIMITED)
            .with("limits.upgrades_per_ip", UNLIMITED);

    static BrowserSession admin;
    static BrowserSession plain;
    static String adminKey;

    @BeforeAll
    static void users() {
        server.user("root", "root-password-123", true);
        server.user("pat", "pat-password-123", false);
        admin = BrowserSession.login(server, "root", "root-password-123");
        plain = BrowserSession.login(server, "pat", "pat-password-123");
        adminKey = "apikey " + server.apiKey("admin");
    }

    /** Every kind of admin endpoint: reads, and actions (a retry of an unknown event gets past the check to 404). */
    @ParameterizedTest(name = "{0} {1} → {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET  | /api/v1/connections                   |                                  | 200",
                "GET  | /api/v1/channels                      |                                  | 200",
                "GET  | /api/v1/channels/lobby:hall/presence  |                                  | 200",
                "GET  | /api/v1/channels/news/history         |                                  | 200",
                "GET  | /api/v1/stats                         |                                  | 200",
                "GET  | /api/v1/access-log                    |                                  | 200",
                "GET  | /api/v1/hooks/dead                    |                                  | 200",
                "GET  | /api/v1/tasks?all=true                |                                  | 200",
                "POST | /api/v1/publish                       | {\"channel\":\"news\",\"data\":1}    | 200",
                "POST | /api/v1/broadcast                     | {\"channels\":[\"news\"],\"data\":1} | 200",
                "POST | /api/v1/users/nobody/disconnect       | {}                               | 200",
                "POST | /api/v1/hooks/dead/evt_unknown/retry  | {}                               | 404",
            })
    void anAdminSessionIsLetInAndANonAdminSessionIsNot(String method, String path, String body, int status) {
        TestGatehouse.Reply asAdmin = send(method, path, body, admin, true);
        assertThat(asAdmin.status()).as(asAdmin.body().toString()).isEqualTo(status);

        TestGatehouse.Reply asUser = send(method, path, body, plain, true);
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(asUser.body().path("hint").asText()).contains("admin");

        TestGatehouse.Reply noCsrf = send(method, path, body, admin, false);
        assertThat(noCsrf.status()).isEqualTo(403);
        assertThat(noCsrf.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");

        TestGatehouse.Reply wrongCsrf = send(method, path, body, admin.withCsrf("ghc_wrong"), true);
        assertThat(wrongCsrf.status()).isEqualTo(403);
        assertThat(wrongCsrf.body().path("code").asText()).isEqualTo("CSRF_VALIDATION_ERROR");

        TestGatehouse.Reply foreign = send(method, path, body, admin, true, "Origin", "https://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");

        TestGatehouse.Reply own = send(method, path, body, admin, true, "Origin", BrowserSession.ownOrigin(server));
        assertThat(own.status()).isEqualTo(status);

        TestGatehouse.Reply nothing = method.equals("GET") ? server.get(path) : server.post(path, body);
        assertThat(nothing.status()).isEqualTo(401);
        assertThat(nothing.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
        // tasks?all=true is the user-facing listing with an admin check: its hint names the user's credentials.
        assertThat(nothing.body().path("hint").asText())
                .contains(path.startsWith("/api/v1/tasks") ? "gh_session" : "apikey");
    }

    @Test
    void aLoggedOutAdminSessionIsRefusedAsAnywhere() {
        server.user("gone", "gone-password-123", true);
        BrowserSession s = BrowserSession.login(server, "gone", "gone-password-123");
        assertThat(server.post("/api/v1/auth/logout", "", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf())
                        .status())
                .isEqualTo(200);

        TestGatehouse.Reply r = send("GET", "/api/v1/stats", "", s, true);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_REVOKED");
    }

    @Test
    void anAdminSessionsActionsAreAccessLogRowsNamingTheAdmin() {
        try (WsRecorder bob = server.connectAs("bob-" + System.nanoTime())) {
            String bobId = bob.established().path("user").path("id").asText();
            assertThat(send("POST", "/api/v1/publish", "{\"channel\":\"news\",\"data\":{\"x\":1}}", admin, true)
                            .status())
                    .isEqualTo(200);
            assertThat(send(
                                    "POST",
                                    "/api/v1/users/" + bobId + "/disconnect",
                                    "{\"code\":\"TOKEN_REVOKED\"}",
                                    admin,
                                    true)
                            .status())
                    .isEqualTo(200);
            assertThat(bob.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));

            List<JsonNode> rows = awaitActions("local:root", 2);
            assertThat(rows).extracting(r -> r.path("action").asText()).contains("publish", "user.disconnect");
            assertThat(rows).extracting(r -> r.path("target").asText()).contains("news", bobId + " code=TOKEN_REVOKED");
            assertThat(rows).allSatisfy(r -> assertActionOf(r, "local:root", "cookie", admin.session()));
        }
    }

    @Test
    void anApiKeysActionsStayOutOfTheAccessLog() {
        String channel = "keyed-" + System.nanoTime();
        assertThat(server.post(
                                "/api/v1/publish",
                                "{\"channel\":\"" + channel + "\",\"data\":1}",
                                "Authorization",
                                adminKey)
                        .status())
                .isEqualTo(200);
        // an admin session's action written after it: once that is readable, so would the key's be
        assertThat(send("POST", "/api/v1/broadcast", "{\"channels\":[\"marker\"],\"data\":1}", admin, true)
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> accessLog("limit=1000").stream()
                        .anyMatch(r -> "marker".equals(r.path("target").asText())));
        assertThat(accessLog("limit=1000"))
                .noneMatch(r -> channel.equals(r.path("target").asText()));
    }

    @Test
    void allTrueListsEveryOwnersTasksForAnAdminSessionOnly() {
        String key = "apikey " + server.apiKey("publish");
        TestGatehouse.Reply created = server.post(
                "/api/v1/tasks", "{\"owner\":\"carol\",\"kind\":\"import\",\"title\":\"t\"}", "Authorization", key);
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().path("id").asText();

        TestGatehouse.Reply all = send("GET", "/api/v1/tasks?all=true&owner=carol", "", admin, true);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().path("tasks"))
                .extracting(t -> t.path("id").asText())
                .contains(id);

        TestGatehouse.Reply own = send("GET", "/api/v1/tasks", "", admin, true);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.body().path("tasks"))
                .extracting(t -> t.path("id").asText())
                .doesNotContain(id);

        TestGatehouse.Reply notAdmin = send("GET", "/api/v1/tasks?all=true", "", plain, true);
        assertThat(notAdmin.status()).isEqualTo(403);
        assertThat(notAdmin.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");

        TestGatehouse.Reply bad = send("GET", "/api/v1/tasks?all=yes", "", admin, true);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(bad.body().path("hint").asText()).contains("all must be true");
        // An admin's token works as well as the session; a user's token is told it is for admins,
        // not that the token is invalid; no credential is 401 before any check of all=.
        TestGatehouse.Reply byToken = server.get(
                "/api/v1/tasks?all=true&owner=carol",
                "Authorization",
                "Bearer "
                        + io.gatehouse.testing.Jwts.hs256For("root", java.util.List.of("admin"), java.util.List.of()));
        assertThat(byToken.status()).as(byToken.body().toString()).isEqualTo(200);
        assertThat(byToken.body().path("tasks"))
                .extracting(t -> t.path("id").asText())
                .contains(id);
        TestGatehouse.Reply userToken = server.get(
                "/api/v1/tasks?all=true", "Authorization", "Bearer " + io.gatehouse.testing.Jwts.hs256For("carol"));
        assertThat(userToken.status()).isEqualTo(403);
        assertThat(userToken.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(server.get("/api/v1/tasks?all=x").status()).isEqualTo(401);
    }

    @Test
    void anAdminsCancelOfAnotherUsersTaskIsAnAccessLogRowWithSessionOrTokenAndAnOwnOrRepeatedCancelIsNot() {
        String key = "apikey " + server.apiKey("publish");
        String carol = "carol-" + System.nanoTime();
        String patsOwn = createTask(key, "local:pat");
        String rootsOwn = createTask(key, "local:root");
        String bySession = createTask(key, carol);
        String byToken = createTask(key, carol);
        String adminToken = Jwts.hs256For("ops-" + System.nanoTime(), List.of("admin"), List.of());
        String tokenAdminId = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + adminToken)
                .body()
                .path("user")
                .path("id")
                .asText();
        assertThat(tokenAdminId).isNotEmpty();

        // the owners' own cancels first: once the admins' rows after them are readable, theirs would be
        assertCancelled(send("POST", "/api/v1/tasks/" + patsOwn + "/cancel", "", plain, true));
        assertCancelled(send("POST", "/api/v1/tasks/" + rootsOwn + "/cancel", "", admin, true));
        assertCancelled(send("POST", "/api/v1/tasks/" + bySession + "/cancel", "", admin, true));
        // asked again: answered as it is, and no second row (nothing was done)
        assertCancelled(send("POST", "/api/v1/tasks/" + bySession + "/cancel", "", admin, true));
        assertCancelled(
                server.post("/api/v1/tasks/" + byToken + "/cancel", "", "Authorization", "Bearer " + adminToken));
        // an API key, admin scope or not, is no user credential: it cancels nothing
        assertThat(server.post("/api/v1/tasks/" + byToken + "/cancel", "", "Authorization", adminKey)
                        .status())
                .isEqualTo(401);

        assertActionOf(awaitAction("task.cancel", bySession), "local:root", "cookie", admin.session());
        assertActionOf(awaitAction("task.cancel", byToken), tokenAdminId, "authorization_header", adminToken);

        assertThat(accessLog("limit=1000"))
                .noneMatch(r -> patsOwn.equals(r.path("target").asText())
                        || rootsOwn.equals(r.path("target").asText()));
        assertThat(accessLog("limit=1000"))
                .filteredOn(r -> bySession.equals(r.path("target").asText()))
                .as("one row for the cancel that changed the task, none for the repeat")
                .hasSize(1);
    }

    private static String createTask(String key, String owner) {
        TestGatehouse.Reply created = server.post(
                "/api/v1/tasks",
                "{\"owner\":\"" + owner + "\",\"kind\":\"import\",\"title\":\"t\"}",
                "Authorization",
                key);
        assertThat(created.status()).isEqualTo(201);
        return created.body().path("id").asText();
    }

    private static void assertCancelled(TestGatehouse.Reply r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("cancel_requested");
    }

    /** {@code row} is an action of {@code userId} from this machine, with {@code secret} carried by {@code method}. */
    private static void assertActionOf(JsonNode row, String userId, String method, String secret) {
        assertThat(row.path("user_id").asText()).isEqualTo(userId);
        assertThat(row.path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(row.path("method").asText()).isEqualTo(method);
        assertThat(row.path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(secret));
        assertThat(row.path("connection_id").isNull()).isTrue();
    }

    /** The access-log row of the action {@code action} on {@code target}, once it is readable. */
    private static JsonNode awaitAction(String action, String target) {
        Predicate<JsonNode> row = r -> action.equals(r.path("action").asText())
                && target.equals(r.path("target").asText());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> accessLog("limit=1000").stream().anyMatch(row));
        return accessLog("limit=1000").stream().filter(row).findFirst().orElseThrow();
    }

    static TestGatehouse.Reply send(
            String method, String path, String body, BrowserSession s, boolean withCsrf, String... more) {
        return send(server, method, path, body, s, withCsrf, more);
    }

    /** A request of the browser session {@code s}: its cookie, its CSRF token if {@code withCsrf}, and {@code more} headers. */
    static TestGatehouse.Reply send(
            TestGatehouse server,
            String method,
            String path,
            String body,
            BrowserSession s,
            boolean withCsrf,
            String... more) {
        List<String> headers = new ArrayList<>(List.of("Cookie", s.cookieHeader()));
        if (withCsrf) {
            headers.addAll(List.of("X-CSRF-Token", s.csrf()));
        }
        headers.addAll(List.of(more));
        String[] h = headers.toArray(String[]::new);
        return switch (method) {
            case "GET" -> server.get(path, h);
            case "DELETE" -> server.delete(path, h);
            default -> server.post(path, body == null ? "" : body, h);
        };
    }

    static List<JsonNode> accessLog(String query) {
        TestGatehouse.Reply r = server.get("/api/v1/access-log?" + query, "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("entries").spliterator(), false)
                .toList();
    }

    /** The access-log rows of {@code userId}'s actions, once there are at least {@code count}. */
    static List<JsonNode> awaitActions(String userId, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> actions(userId).size() >= count);
        return actions(userId);
    }

    private static List<JsonNode> actions(String userId) {
        return accessLog("user=" + userId + "&limit=1000").stream()
                .filter(r -> !r.path("action").isNull())
                .toList();
    }

    /** The fingerprint, computed here independently of the server's Fingerprint class. */
    static String sha256Prefix(String secret) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
