package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.DataDirectory;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.Database;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access log end to end (SPEC §8, {@code GET /api/v1/access-log}): real upgrades on real
 * sockets, accepted and refused on every path a client can reach, read back through the API.
 * Each test marks its own attempts with a unique User-Agent (or user id), so tests sharing the
 * server never read each other's rows.
 */
class AccessLogApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Generous, so that this class's many upgrades from 127.0.0.1 are not limited. */
    private static final Map<String, Object> UNLIMITED = Map.of("rate", 10_000, "burst", 10_000);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.timeout", "300ms")
            .with("limits.upgrades_per_ip", UNLIMITED)
            .with("limits.auth_failures_per_ip", UNLIMITED);

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = server.apiKey("admin");
    }

    @Test
    void anAcceptedConnectionIsOneRowThatItsCloseCompletesWithCodeAndDuration() {
        String user = unique("alice");
        String agent = unique("agent");
        String jwt = Jwts.hs256For(user);
        try (WsRecorder ws = server.connectWith(jwt, "User-Agent", agent)) {
            ws.socket().sendClose(1000, "bye").join();
            assertThat(ws.awaitClose().code()).isEqualTo(1000);
        }

        JsonNode row = awaitSingle("user=" + user, e -> e.path("close_code").isInt());
        assertThat(row.path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(row.path("user_id").asText()).isEqualTo(user);
        assertThat(row.path("method").asText()).isEqualTo("authorization_header");
        assertThat(row.path("token_fingerprint").asText())
                .isEqualTo(sha256Prefix(jwt))
                .hasSize(8);
        assertThat(row.path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(row.path("user_agent").asText()).isEqualTo(agent);
        assertThat(row.path("origin").isNull()).isTrue();
        assertThat(row.path("connection_id").asText()).matches("[0-9a-f]{32}");
        assertThat(row.path("close_code").asInt()).isEqualTo(1000);
        assertThat(row.path("duration_ms").asLong()).isBetween(0L, WAIT.toMillis());
        assertThat(Instant.parse(row.path("time").asText()))
                .isBetween(Instant.now().minus(WAIT), Instant.now());
    }

    @Test
    void aTokenInAnAuthMessageIsAcceptedWithTheAuthMessageMethod() {
        String user = unique("erin");
        String opaque = server.opaqueToken(user);
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            ws.send("{\"type\":\"auth\",\"token\":\"" + opaque + "\"}");
            ws.awaitType("connection_established");
        }

        JsonNode row = awaitSingle("user=" + user, e -> true);
        assertThat(row.path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(row.path("method").asText()).isEqualTo("auth_message");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(opaque));
    }

    @Test
    void aTokenWithTheWrongSignatureIsRecordedAsTokenInvalid() {
        String agent = unique("agent");
        String bad = Jwts.hs256(
                Jwts.claims("mallory"), "a-wrong-secret-that-is-32-bytes-long!!".getBytes(StandardCharsets.UTF_8));
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + bad, "User-Agent", agent)) {
            assertThat(ws.awaitClose().code()).isEqualTo(4401);
        }

        JsonNode row = awaitRefusal("TOKEN_INVALID", agent);
        assertThat(row.path("method").asText()).isEqualTo("authorization_header");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(bad));
        assertThat(row.path("user_id").isNull()).isTrue();
    }

    @Test
    void anExpiredTokenIsRecordedAsTokenExpired() {
        String agent = unique("agent");
        String expired = Jwts.hs256(
                Jwts.claims("frank").expirationTime(Date.from(Instant.now().minus(Duration.ofHours(1)))));
        try (WsRecorder ws = WsRecorder.connect(server.ws("token=" + expired), "User-Agent", agent)) {
            assertThat(ws.awaitClose().code()).isEqualTo(4401);
        }

        JsonNode row = awaitRefusal("TOKEN_EXPIRED", agent);
        assertThat(row.path("method").asText()).isEqualTo("query");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(expired));
    }

    @Test
    void anAuthMessageWithoutATokenIsRecordedAsTokenMissing() {
        String agent = unique("agent");
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "User-Agent", agent)) {
            ws.send("{\"type\":\"auth\"}");
            assertThat(ws.awaitClose().code()).isEqualTo(4401);
        }

        JsonNode row = awaitRefusal("TOKEN_MISSING", agent);
        assertThat(row.path("method").isNull()).isTrue();
        assertThat(row.path("token_fingerprint").isNull()).isTrue();
        assertThat(row.path("connection_id").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void noAuthMessageWithinAuthTimeoutIsRecordedAsAuthTimeout() {
        String agent = unique("agent");
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "User-Agent", agent)) {
            assertThat(ws.awaitClose().code()).isEqualTo(4408);
        }

        awaitRefusal("AUTH_TIMEOUT", agent);
    }

    @Test
    void aForeignOriginIsRecordedAsOriginNotAllowedWithTheTokensFingerprint() {
        String agent = unique("agent");
        String jwt = Jwts.hs256For(unique("grace"));
        assertThatThrownBy(() -> WsRecorder.connect(
                        server.ws(),
                        "Origin",
                        "https://evil.example",
                        "Authorization",
                        "Bearer " + jwt,
                        "User-Agent",
                        agent))
                .isInstanceOfSatisfying(
                        WsRecorder.HandshakeRefused.class,
                        e -> assertThat(e.status).isEqualTo(403));

        JsonNode row = awaitRefusal("ORIGIN_NOT_ALLOWED", agent);
        assertThat(row.path("origin").asText()).isEqualTo("https://evil.example");
        assertThat(row.path("method").asText()).isEqualTo("authorization_header");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(jwt));
        assertThat(row.path("connection_id").isNull()).isTrue();
    }

    @Test
    void aCookieSessionWithoutCsrfTokenIsRecordedAsCsrfTokenMissing() {
        String agent = unique("agent");
        String user = unique("heidi");
        server.user(user, "heidi-password-123", false);
        BrowserSession browser = BrowserSession.login(server, user, "heidi-password-123");
        try (WsRecorder ws = WsRecorder.connect(
                server.ws(),
                "Cookie",
                browser.cookieHeader(),
                "Origin",
                BrowserSession.ownOrigin(server),
                "User-Agent",
                agent)) {
            assertThat(ws.awaitClose().code()).isEqualTo(4403);
        }

        JsonNode row = awaitRefusal("CSRF_TOKEN_MISSING", agent);
        assertThat(row.path("method").asText()).isEqualTo("cookie");
        assertThat(row.path("token_fingerprint").asText()).isEqualTo(sha256Prefix(browser.session()));
        assertThat(row.path("origin").asText()).isEqualTo(BrowserSession.ownOrigin(server));
    }

    @Test
    void filtersByOutcomeUserAndIpMatchExactly() {
        String user = unique("ivan");
        server.connectAs(user).close(); // connection_established came
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "User-Agent", unique("agent"))) {
            ws.send("{\"type\":\"auth\"}");
            ws.awaitClose();
        }
        awaitSingle("user=" + user, e -> true);
        await().atMost(WAIT)
                .until(() -> !entries("outcome=TOKEN_MISSING&limit=1000").isEmpty());

        assertThat(entries("outcome=TOKEN_MISSING&limit=1000"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("outcome").asText()).isEqualTo("TOKEN_MISSING"));
        assertThat(entries("user=" + user))
                .singleElement()
                .satisfies(e -> assertThat(e.path("user_id").asText()).isEqualTo(user));
        assertThat(entries("user=" + user + "&outcome=TOKEN_MISSING")).isEmpty();
        assertThat(entries("ip=127.0.0.1&limit=1000"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("client_ip").asText()).isEqualTo("127.0.0.1"));
        assertThat(entries("ip=192.0.2.1")).isEmpty();
        assertThat(entries("ip=127.0.0&limit=1000")).as("no prefix match").isEmpty();
    }

    @Test
    void limitDefaultsTo100AndCutsTheNewestFirst() {
        String outcome = "TEST_" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        Instant t0 = Instant.now().minusSeconds(3600);
        List<AccessLogEntry> rows = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            rows.add(new AccessLogEntry(
                    t0.plusSeconds(i), "10.1.2.3", null, null, null, null, outcome, null, "c" + i, null, null));
        }
        new AccessLogStore(server.gatehouse().database()).write(rows);

        assertThat(entries("outcome=" + outcome)).hasSize(100);
        assertThat(entries("outcome=" + outcome + "&limit=1000")).hasSize(150);
        assertThat(entries("outcome=" + outcome + "&limit=3"))
                .extracting(e -> e.path("connection_id").asText())
                .containsExactly("c149", "c148", "c147");
    }

    @Test
    void aLimitOutside1To1000IsABadRequest() {
        for (String limit : List.of("0", "-1", "1001", "abc", "2.5")) {
            TestGatehouse.Reply r =
                    server.get("/api/v1/access-log?limit=" + limit, "Authorization", "apikey " + adminKey);
            assertThat(r.status()).as("limit=%s", limit).isEqualTo(400);
            assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(r.body().path("hint").asText()).contains("1 to 1000");
        }
        assertThat(server.get("/api/v1/access-log?limit=1000", "Authorization", "apikey " + adminKey)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void onlyAnApiKeyWithTheAdminScopeMayReadTheAccessLog() {
        TestGatehouse.Reply publishOnly =
                server.get("/api/v1/access-log", "Authorization", "apikey " + server.apiKey("publish"));
        assertThat(publishOnly.status()).isEqualTo(403);
        assertThat(publishOnly.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");

        TestGatehouse.Reply none = server.get("/api/v1/access-log");
        assertThat(none.status()).isEqualTo(401);

        TestGatehouse.Reply userToken =
                server.get("/api/v1/access-log", "Authorization", "Bearer " + Jwts.hs256For("judy"));
        assertThat(userToken.status()).isEqualTo(401);
    }

    @Test
    void noColumnOfAnyRowHoldsTheTextOfATokenSessionOrCsrfToken() throws Exception {
        String user = unique("kim");
        String jwt = Jwts.hs256For(user);
        String opaque = server.opaqueToken(user);
        String bad = Jwts.hs256(
                Jwts.claims(user), "a-wrong-secret-that-is-32-bytes-long!!".getBytes(StandardCharsets.UTF_8));
        server.user(user, "kim-password-123", false);
        BrowserSession browser = BrowserSession.login(server, user, "kim-password-123");
        List<String> secrets = List.of(jwt, opaque, bad, browser.session(), browser.csrf(), adminKey);

        for (String token : List.of(jwt, opaque, bad)) {
            closeQuietly(WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token));
            closeQuietly(WsRecorder.connectOffering(
                    server.ws(), new String[] {"gatehouse.v1", "gatehouse.bearer." + token}));
            closeQuietly(WsRecorder.connect(server.ws("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));
            WsRecorder ws = WsRecorder.connect(server.ws());
            ws.send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
            closeQuietly(ws);
            assertThatThrownBy(() -> WsRecorder.connect(
                            server.ws(), "Origin", "https://evil.example", "Authorization", "Bearer " + token))
                    .isInstanceOf(WsRecorder.HandshakeRefused.class);
        }
        String origin = BrowserSession.ownOrigin(server);
        closeQuietly(WsRecorder.connect(browser.ws(server), "Cookie", browser.cookieHeader(), "Origin", origin));
        closeQuietly(WsRecorder.connect(server.ws(), "Cookie", browser.cookieHeader(), "Origin", origin));
        closeQuietly(WsRecorder.connect(
                browser.withCsrf(browser.csrf() + "x").ws(server), "Cookie", browser.cookieHeader(), "Origin", origin));
        // Every accepted connection above has closed, so its row is complete.
        // (the cookie session is the local user's, id local:kim; the tokens are the application's kim)
        await().atMost(WAIT)
                .until(() -> java.util.stream.Stream.concat(
                                        entries("user=" + user + "&limit=1000").stream(),
                                        entries("user=local:" + user + "&limit=1000").stream())
                                .filter(e -> e.path("outcome").asText().equals("ACCEPTED"))
                                .filter(e -> e.path("close_code").isInt())
                                .count()
                        == 9);
        assertThat(entries("ip=127.0.0.1&limit=1000").stream()
                        .map(e -> e.path("token_fingerprint").asText()))
                .contains(sha256Prefix(jwt), sha256Prefix(opaque), sha256Prefix(bad), sha256Prefix(browser.session()));

        List<String> cells = new ArrayList<>();
        try (Connection c = server.gatehouse().database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM access_log")) {
            ResultSetMetaData columns = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    cells.add(String.valueOf(rs.getObject(i)));
                }
            }
        }
        assertThat(cells).hasSizeGreaterThan(100);
        for (String secret : secrets) {
            assertThat(cells).noneMatch(cell -> cell.contains(secret));
            // Nor a recognisable piece of it: the signature part of a JWT, the random part of an opaque token.
            String tail = secret.substring(secret.length() - 16);
            assertThat(cells).noneMatch(cell -> cell.contains(tail));
        }
    }

    @Test
    void closingTheServerWritesTheRecordsOfItsLastMomentsFirst() {
        String user = unique("liam");
        TestGatehouse own = new TestGatehouse().with("shutdown.drain", "100ms").start();
        GatehouseConfig config = own.gatehouse().config();
        WsRecorder ws = WsRecorder.connect(own.ws(), "Authorization", "Bearer " + Jwts.hs256For(user));
        try {
            ws.awaitType("connection_established");
            // The attempt was recorded a moment ago and is likely still buffered; the close is
            // recorded during shutdown itself.
            own.close();
        } finally {
            ws.close();
        }

        try (Database reopened = DataDirectory.openDatabase(config)) {
            List<AccessLogEntry> rows =
                    new AccessLogStore(reopened).newest(new AccessLogStore.Filter(null, user, null), 10);
            assertThat(rows).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo("ACCEPTED");
                assertThat(row.closeCode()).isEqualTo(1012);
                assertThat(row.durationMillis()).isNotNull();
            });
        }
    }

    // --- helpers

    private static List<JsonNode> entries(String query) {
        TestGatehouse.Reply r = server.get("/api/v1/access-log?" + query, "Authorization", "apikey " + adminKey);
        assertThat(r.status()).as("GET access-log?%s: %s", query, r.body()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("entries").spliterator(), false)
                .toList();
    }

    /** Waits for exactly one row matching {@code query} and {@code ready}; returns it. */
    private static JsonNode awaitSingle(String query, java.util.function.Predicate<JsonNode> ready) {
        return await().atMost(WAIT)
                .until(() -> entries(query), rows -> rows.size() == 1 && ready.test(rows.get(0)))
                .get(0);
    }

    /** Waits for the row of the refused attempt this test made with User-Agent {@code agent}. */
    private static JsonNode awaitRefusal(String outcome, String agent) {
        List<JsonNode> rows = await().atMost(WAIT)
                .until(
                        () -> entries("outcome=" + outcome + "&ip=127.0.0.1&limit=1000").stream()
                                .filter(e -> agent.equals(e.path("user_agent").asText()))
                                .toList(),
                        found -> !found.isEmpty());
        assertThat(rows).hasSize(1);
        JsonNode row = rows.get(0);
        assertThat(row.path("outcome").asText()).isEqualTo(outcome);
        assertThat(row.path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(row.path("close_code").isNull()).isTrue();
        assertThat(row.path("duration_ms").isNull()).isTrue();
        return row;
    }

    private static void closeQuietly(WsRecorder ws) {
        try (ws) {
            ws.awaitMessage();
        } catch (AssertionError closedInstead) {
            // refused connections close instead of greeting
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The fingerprint, computed here independently of the server's Fingerprint class. */
    private static String sha256Prefix(String secret) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
