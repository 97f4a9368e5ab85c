package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12: a single-page app on an origin of {@code server.allowed_origins} may log in, refresh,
 * verify, mint tokens and log out from the browser (CORS with credentials); a foreign origin gets
 * no CORS header at all, and other endpoints none either.
 */
class CorsTest {
    static final String SPA = "http://app.example.test:5173";
    static final String FOREIGN = "https://evil.example.test";
    static final String LOGIN = "{\"username\":\"alice\",\"password\":\"alice-password\"}";

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("server.allowed_origins", List.of(SPA));

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    static HttpResponse<String> preflight(String path, String origin, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "content-type, x-csrf-token")
                .timeout(Duration.ofSeconds(10))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithTheMethodsHeadersAndCredentials() throws Exception {
        for (String path : List.of(
                "/api/v1/auth/login",
                "/api/v1/auth/refresh",
                "/api/v1/auth/logout",
                "/api/v1/auth/verify",
                "/api/v1/tokens",
                "/api/v1/tokens/ght_abcd")) {
            HttpResponse<String> r = preflight(path, SPA, "POST");
            assertThat(r.statusCode()).as(path).isEqualTo(204);
            assertThat(r.headers().firstValue("access-control-allow-origin"))
                    .as(path)
                    .hasValue(SPA);
            assertThat(r.headers().firstValue("access-control-allow-credentials"))
                    .as(path)
                    .hasValue("true");
            assertThat(r.headers().firstValue("access-control-allow-methods").orElseThrow())
                    .contains("POST")
                    .contains("DELETE");
            assertThat(r.headers().firstValue("access-control-allow-headers").orElseThrow())
                    .containsIgnoringCase("x-csrf-token")
                    .containsIgnoringCase("content-type")
                    .containsIgnoringCase("authorization");
            assertThat(r.headers().allValues("vary")).as(path).contains("Origin");
        }
    }

    @Test
    void aPreflightFromAForeignOriginGetsNoCorsHeaderAnd403() throws Exception {
        HttpResponse<String> r = preflight("/api/v1/auth/login", FOREIGN, "POST");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("ORIGIN_NOT_ALLOWED");
        assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
        assertThat(r.headers().allValues("vary")).contains("Origin");
    }

    @Test
    void theUsersTaskEndpointsHaveCorsAndTheWorkersCallsNone() throws Exception {
        for (String path : List.of("/api/v1/tasks", "/api/v1/tasks/tsk_abc", "/api/v1/tasks/tsk_abc/cancel")) {
            HttpResponse<String> r = preflight(path, SPA, "POST");
            assertThat(r.statusCode()).as(path).isEqualTo(204);
            assertThat(r.headers().firstValue("access-control-allow-origin"))
                    .as(path)
                    .hasValue(SPA);
        }
        for (String path : List.of("/api/v1/tasks/tsk_abc/progress", "/api/v1/tasks/tsk_abc/complete")) {
            HttpResponse<String> r = preflight(path, SPA, "POST");
            assertThat(r.headers().firstValue("access-control-allow-origin"))
                    .as(path)
                    .isEmpty();
        }
    }

    @Test
    void theServerApiAndOtherPathsHaveNoCors() throws Exception {
        for (String path : List.of("/api/v1/publish", "/api/v1/stats", "/health")) {
            HttpResponse<String> r = preflight(path, SPA, "POST");
            assertThat(r.headers().firstValue("access-control-allow-origin"))
                    .as(path)
                    .isEmpty();
            assertThat(r.statusCode()).as(path).isIn(404, 405);
        }
        TestGatehouse.Reply stats = server.get("/api/v1/stats", "Origin", SPA);
        assertThat(stats.raw().headers().firstValue("access-control-allow-origin"))
                .isEmpty();
    }

    @Test
    void anSpaOnAnAllowedOriginLogsInRefreshesVerifiesMintsATokenAndLogsOut() {
        TestGatehouse.Reply login = server.post("/api/v1/auth/login", LOGIN, "Origin", SPA);
        assertThat(login.status()).isEqualTo(200);
        assertCors(login);
        String cookie = login.raw().headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("gh_session="))
                .findFirst()
                .orElseThrow();
        BrowserSession session = new BrowserSession(
                cookie.substring("gh_session=".length(), cookie.indexOf(';')),
                login.body().path("csrf_token").asText());

        TestGatehouse.Reply refreshed = server.post(
                "/api/v1/auth/refresh",
                "",
                "Origin",
                SPA,
                "Cookie",
                session.cookieHeader(),
                "X-CSRF-Token",
                session.csrf());
        assertThat(refreshed.status()).as("%s", refreshed.body()).isEqualTo(200);
        assertCors(refreshed);
        String csrf = refreshed.body().path("csrf_token").asText();

        TestGatehouse.Reply verify = server.get(
                "/api/v1/auth/verify", "Origin", SPA, "Cookie", session.cookieHeader(), "X-CSRF-Token", csrf);
        assertThat(verify.status()).as("%s", verify.body()).isEqualTo(200);
        assertCors(verify);

        TestGatehouse.Reply minted = server.post(
                "/api/v1/tokens", "{}", "Origin", SPA, "Cookie", session.cookieHeader(), "X-CSRF-Token", csrf);
        assertThat(minted.status()).as("%s", minted.body()).isEqualTo(201);
        assertCors(minted);

        TestGatehouse.Reply out = server.post(
                "/api/v1/auth/logout", "", "Origin", SPA, "Cookie", session.cookieHeader(), "X-CSRF-Token", csrf);
        assertThat(out.status()).as("%s", out.body()).isEqualTo(200);
        assertCors(out);
    }

    @Test
    void aRefusalToAnAllowedOriginIsReadableByThePageSoItCanShowTheCode() {
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Origin", SPA);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
        assertCors(verify);
    }

    @Test
    void aForeignOriginGetsNoCorsHeaderOnTheAnswerEither() {
        TestGatehouse.Reply login = server.post("/api/v1/auth/login", LOGIN, "Origin", FOREIGN);
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(login.raw().headers().firstValue("access-control-allow-origin"))
                .isEmpty();
        assertThat(login.raw().headers().allValues("vary")).contains("Origin");
    }

    private static void assertCors(TestGatehouse.Reply r) {
        assertThat(r.raw().headers().firstValue("access-control-allow-origin")).hasValue(SPA);
        assertThat(r.raw().headers().firstValue("access-control-allow-credentials"))
                .hasValue("true");
        assertThat(r.raw().headers().allValues("vary")).contains("Origin");
    }
}
