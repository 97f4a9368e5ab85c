package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 point 8: the cookie-authenticated HTTP API checks Origin against the server's own
 * origin, which behind a trusted proxy is the forwarded host (nginx {@code proxy_set_header Host
 * $host} on a non-default port loses the port; {@code X-Forwarded-Host} keeps it), or
 * {@code server.public_url} when set; and it takes the CSRF token from {@code X-CSRF-Token} only.
 */
class ProxiedCookieApiTest {
    static final String PUBLIC = "https://example.test:8443";
    static final String LOGIN = "{\"username\":\"alice\",\"password\":\"alice-password\"}";

    /** Requests come from 127.0.0.1, listed as a trusted proxy. */
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("server.trusted_proxies", List.of("127.0.0.1/32"));

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    static String[] proxied(String... more) {
        List<String> h = new ArrayList<>(List.of(
                "X-Forwarded-Host",
                "example.test:8443",
                "X-Forwarded-Proto",
                "https",
                "X-Forwarded-For",
                "203.0.113.9"));
        h.addAll(Arrays.asList(more));
        return h.toArray(String[]::new);
    }

    static BrowserSession loginThroughProxy(TestGatehouse gateway, String... headers) {
        TestGatehouse.Reply r = gateway.post("/api/v1/auth/login", LOGIN, headers);
        assertThat(r.status()).as("login: %s", r.body()).isEqualTo(200);
        String cookie = r.raw().headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("gh_session="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie).contains("; Secure");
        return new BrowserSession(
                cookie.substring("gh_session=".length(), cookie.indexOf(';')),
                r.body().path("csrf_token").asText());
    }

    @Test
    void loginTokensAndLogoutWorkThroughATrustedProxyWithXForwardedHost() {
        BrowserSession s = loginThroughProxy(server, proxied("Origin", PUBLIC));
        TestGatehouse.Reply minted = server.post(
                "/api/v1/tokens",
                "{}",
                proxied("Origin", PUBLIC, "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf()));
        assertThat(minted.status()).as("%s", minted.body()).isEqualTo(201);
        TestGatehouse.Reply out = server.post(
                "/api/v1/auth/logout",
                "",
                proxied("Origin", PUBLIC, "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf()));
        assertThat(out.status()).as("%s", out.body()).isEqualTo(200);
        assertThat(out.body().path("logged_out").asBoolean()).isTrue();
    }

    @Test
    void theRfc7239ForwardedHeaderWorksToo() {
        BrowserSession s = loginThroughProxy(
                server, "Forwarded", "for=203.0.113.9;host=example.test:8443;proto=https", "Origin", PUBLIC);
        TestGatehouse.Reply out = server.post(
                "/api/v1/auth/logout",
                "",
                "Forwarded",
                "for=203.0.113.9;host=\"example.test:8443\";proto=https",
                "Origin",
                PUBLIC,
                "Cookie",
                s.cookieHeader(),
                "X-CSRF-Token",
                s.csrf());
        assertThat(out.status()).as("%s", out.body()).isEqualTo(200);
    }

    @Test
    void aForeignOriginIsRefusedOnLoginRefreshLogoutAndTheUserApi() {
        String evil = "https://evil.example";
        TestGatehouse.Reply login = server.post("/api/v1/auth/login", LOGIN, proxied("Origin", evil));
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");

        BrowserSession s = loginThroughProxy(server, proxied("Origin", PUBLIC));
        String[] cookie = {"Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf()};
        for (String path : List.of("/api/v1/tokens", "/api/v1/auth/refresh", "/api/v1/auth/logout")) {
            List<String> h = new ArrayList<>(Arrays.asList(proxied("Origin", evil)));
            h.addAll(Arrays.asList(cookie));
            TestGatehouse.Reply r = server.post(path, "{}", h.toArray(String[]::new));
            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(r.body().path("code").asText()).as(path).isEqualTo("ORIGIN_NOT_ALLOWED");
        }
        TestGatehouse.Reply list =
                server.get("/api/v1/tokens", "Origin", evil, "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
        assertThat(list.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        // The session survived the refused logout.
        assertThat(server.get(
                                "/api/v1/tokens",
                                proxied("Origin", PUBLIC, "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf()))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aCsrfTokenInTheQueryIsNotAccepted() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        String q = "?csrf_token=" + URLEncoder.encode(s.csrf(), StandardCharsets.UTF_8);
        TestGatehouse.Reply minted =
                server.post("/api/v1/tokens" + q, "{}", proxied("Origin", PUBLIC, "Cookie", s.cookieHeader()));
        assertThat(minted.status()).isEqualTo(403);
        assertThat(minted.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify" + q, "Cookie", s.cookieHeader());
        assertThat(verify.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");
        TestGatehouse.Reply logout =
                server.post("/api/v1/auth/logout" + q, "", proxied("Origin", PUBLIC, "Cookie", s.cookieHeader()));
        assertThat(logout.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");
    }

    @Test
    void forwardedHostsFromAnUntrustedPeerAreIgnored() {
        try (TestGatehouse direct = new TestGatehouse().start()) {
            direct.user("alice", "alice-password", false);
            TestGatehouse.Reply r = direct.post("/api/v1/auth/login", LOGIN, proxied("Origin", PUBLIC));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
            // Without the proxy, the Host header still makes the server's own origin.
            assertThat(direct.post("/api/v1/auth/login", LOGIN, "Origin", BrowserSession.ownOrigin(direct))
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void serverPublicUrlAloneIsTheServersOwnOrigin() {
        try (TestGatehouse pub = new TestGatehouse()
                .with("server.public_url", "https://app.example.test/")
                .start()) {
            pub.user("alice", "alice-password", false);
            assertThat(pub.post("/api/v1/auth/login", LOGIN, "Origin", "https://app.example.test")
                            .status())
                    .isEqualTo(200);
            TestGatehouse.Reply byHost = pub.post("/api/v1/auth/login", LOGIN, "Origin", BrowserSession.ownOrigin(pub));
            assertThat(byHost.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        }
    }
}
