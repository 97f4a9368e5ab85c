package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Login, cookie upgrades with CSRF, refresh and logout (SPEC §2, §7), end to end. */
class CookieSessionTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.session.csrf_max_age", "1s")
            .with("server.allowed_origins", java.util.List.of("https://app.example.com"));

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    static WsRecorder connect(BrowserSession s, String origin) {
        return origin == null
                ? WsRecorder.connect(s.ws(server), "Cookie", s.cookieHeader())
                : WsRecorder.connect(s.ws(server), "Cookie", s.cookieHeader(), "Origin", origin);
    }

    @Test
    void loginSetsAnHttpOnlySessionCookieAndAReadableCsrfCookie() {
        TestGatehouse.Reply r =
                server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\"alice-password\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("user").path("id").asText()).isEqualTo("local:alice"); // a local user's id
        assertThat(r.body().path("user").path("name").asText()).isEqualTo("alice");
        assertThat(r.body().path("csrf_token").asText()).isNotBlank();
        assertThat(r.body().path("expires_at").asText()).isNotBlank();
        var cookies = r.raw().headers().allValues("set-cookie");
        assertThat(cookies)
                .anySatisfy(c -> assertThat(c)
                        .startsWith("gh_session=ghs_")
                        .contains("HttpOnly")
                        .contains("SameSite=Lax"));
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("gh_csrf=").doesNotContain("HttpOnly"));
    }

    @Test
    void behindATlsProxyTheCookiesAreSecure() {
        TestGatehouse.Reply r = server.post(
                "/api/v1/auth/login",
                "{\"username\":\"alice\",\"password\":\"alice-password\"}",
                "X-Forwarded-Proto",
                "https");
        assertThat(r.raw().headers().allValues("set-cookie"))
                .hasSize(2)
                .allSatisfy(c -> assertThat(c).contains("; Secure"));
        TestGatehouse.Reply plain =
                server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\"alice-password\"}");
        assertThat(plain.raw().headers().allValues("set-cookie"))
                .allSatisfy(c -> assertThat(c).doesNotContain("Secure"));
    }

    @Test
    void anUnknownUserAndAWrongPasswordGetTheSameAnswer() {
        TestGatehouse.Reply unknown = server.post("/api/v1/auth/login", "{\"username\":\"nobody\",\"password\":\"x\"}");
        TestGatehouse.Reply wrong = server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\"x\"}");
        assertThat(unknown.status()).isEqualTo(401).isEqualTo(wrong.status());
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(unknown.body().path("code").asText()).isEqualTo("LOGIN_FAILED");
        assertThat(unknown.raw().headers().allValues("set-cookie")).isEmpty();
    }

    @Test
    void aCookieUpgradeWithItsCsrfTokenFromTheServersOwnOriginConnects() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try (WsRecorder ws = s.connect(server)) {
            JsonNode hello = ws.established();
            assertThat(hello.path("user").path("id").asText()).isEqualTo("local:alice");
        }
    }

    @Test
    void anAllowedOriginConnectsAndTheCsrfHeaderWorksToo() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try (WsRecorder ws = WsRecorder.connect(
                server.ws(),
                "Cookie",
                s.cookieHeader(),
                "X-CSRF-Token",
                s.csrf(),
                "Origin",
                "https://app.example.com")) {
            ws.awaitType("connection_established");
        }
    }

    @Test
    void crossSiteUpgradeWithAValidCookieAndCsrfIsRefusedBeforeTheUpgrade() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try {
            connect(s, "https://evil.example").close();
            throw new AssertionError("the upgrade should have been refused");
        } catch (WsRecorder.HandshakeRefused refused) {
            assertThat(refused.status).isEqualTo(403);
        }
        TestGatehouse.Reply verify =
                server.get("/api/v1/auth/verify", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(verify.status()).isEqualTo(200); // the session itself is fine
    }

    @Test
    void aCookieUpgradeWithoutOriginIsRefusedAndATokenUpgradeWithoutOriginIsNot() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try {
            connect(s, null).close();
            throw new AssertionError("the upgrade should have been refused");
        } catch (WsRecorder.HandshakeRefused refused) {
            assertThat(refused.status).isEqualTo(403);
        }
        server.connectWith(server.opaqueToken("bob")).close(); // connection_established came
    }

    @Test
    void aForeignOriginIsRefusedWithOriginNotAllowedAndTheKeyToChange() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(
                server.ws(),
                "Origin: https://evil.example",
                "Authorization: Bearer " + server.opaqueToken("bob"),
                "Connection: close")) {
            assertThat(raw.handshakeResponse()).startsWith("HTTP/1.1 403");
            JsonNode body = TestGatehouse.JSON.readTree(raw.readToEnd(5000));
            assertThat(body.path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
            assertThat(body.path("hint").asText()).contains("server.allowed_origins");
        }
    }

    @Test
    void csrfMissingWrongAndStaleEachCloseWithTheirCode() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        String origin = BrowserSession.ownOrigin(server);
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Cookie", s.cookieHeader(), "Origin", origin)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4403, "CSRF_TOKEN_MISSING"));
        }
        try (WsRecorder ws = connect(s.withCsrf("ghc_wrong"), origin)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4403, "CSRF_VALIDATION_ERROR"));
        }
        Awaitility.await()
                .pollDelay(Duration.ofMillis(1100))
                .atMost(Duration.ofSeconds(5))
                .until(() -> true);
        try (WsRecorder ws = connect(s, origin)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4403, "CSRF_TOKEN_EXPIRED"));
        }
        TestGatehouse.Reply verify =
                server.get("/api/v1/auth/verify", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(verify.status()).isEqualTo(403);
        assertThat(verify.body().path("code").asText()).isEqualTo("CSRF_TOKEN_EXPIRED");
        assertThat(verify.body().path("hint").asText()).contains("POST /api/v1/auth/refresh");
    }

    @Test
    void aStaleCsrfTokenIsRefreshedAndTheReconnectIsAccepted() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        Awaitility.await()
                .pollDelay(Duration.ofMillis(1100))
                .atMost(Duration.ofSeconds(5))
                .until(() -> true);
        TestGatehouse.Reply refreshed =
                server.post("/api/v1/auth/refresh", "", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(refreshed.status()).isEqualTo(200);
        String fresh = refreshed.body().path("csrf_token").asText();
        assertThat(fresh).isNotEqualTo(s.csrf());
        s.withCsrf(fresh).connect(server).close(); // connection_established came with the fresh token
        try (WsRecorder ws = connect(s, BrowserSession.ownOrigin(server))) {
            assertThat(ws.awaitClose().reason()).isEqualTo("CSRF_VALIDATION_ERROR"); // the old token is gone
        }
    }

    @Test
    void refreshAndLogoutNeedTheCsrfToken() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        assertThat(server.post("/api/v1/auth/refresh", "", "Cookie", s.cookieHeader())
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("CSRF_TOKEN_MISSING");
        assertThat(server.post("/api/v1/auth/logout", "", "Cookie", s.cookieHeader(), "X-CSRF-Token", "ghc_x")
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("CSRF_VALIDATION_ERROR");
    }

    @Test
    void cookieAuthenticatedStateChangingRequestsNeedAFreshCsrfToken() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        TestGatehouse.Reply without = server.post("/api/v1/tokens", "{}", "Cookie", s.cookieHeader());
        assertThat(without.status()).isEqualTo(403);
        assertThat(without.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");
        TestGatehouse.Reply with =
                server.post("/api/v1/tokens", "{}", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(with.status()).isEqualTo(201);
    }

    @Test
    void loginRefusesCrossSiteFormsAndForeignOrigins() {
        String body = "{\"username\":\"alice\",\"password\":\"alice-password\"}";
        TestGatehouse.Reply form = server.post("/api/v1/auth/login", body, "Content-Type", "text/plain");
        assertThat(form.status()).isEqualTo(400);
        assertThat(form.raw().headers().allValues("set-cookie")).isEmpty();
        TestGatehouse.Reply foreign = server.post("/api/v1/auth/login", body, "Origin", "https://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(server.post("/api/v1/auth/login", body, "Origin", "https://app.example.com")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aRemovedUsersSessionDoesNotComeBackWithANewUserOfTheSameName() {
        server.user("zed", "zed-password", false);
        BrowserSession s = BrowserSession.login(server, "zed", "zed-password");
        new io.gatehouse.store.UserStore(server.gatehouse().database()).remove("zed");
        server.user("zed", "another-password", false);
        TestGatehouse.Reply verify =
                server.get("/api/v1/auth/verify", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(verify.status()).isEqualTo(401);
    }

    @Test
    void logoutClosesTheSessionsLiveSocketAndRevokesIt() {
        // SPEC §2's "within one second" is the revocation journal's (RevocationTest); here the
        // close, awaited up to WsRecorder.TIMEOUT, and its reason show the logout caused it (the
        // session lives for auth.session.ttl otherwise). How long it took is printed, not bounded.
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try (WsRecorder ws = s.connect(server)) {
            TestGatehouse.Reply out =
                    server.post("/api/v1/auth/logout", "", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
            long answered = System.nanoTime();
            assertThat(out.status()).isEqualTo(200);
            assertThat(out.raw().headers().allValues("set-cookie"))
                    .anySatisfy(c -> assertThat(c).startsWith("gh_session=;"));
            assertThat(ws.awaitClose("logout", answered)).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
        TestGatehouse.Reply verify =
                server.get("/api/v1/auth/verify", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_REVOKED");
    }
}
