package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RawWebSocket;
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
 * Issue 12, proxies in front: with {@code server.public_url} set, a page of that origin behind a
 * proxy that rewrites Host to {@code $host} (the port lost: {@code Host: localhost} while the page
 * is {@code http://localhost:8443}) or sends no Host at all (HTTP/1.0) is accepted for WebSocket
 * upgrades exactly as for the HTTP API (login, verify, refresh), with a cookie session and with a
 * token; a foreign Origin is refused on both. Raw sockets, so the Host header is the test's to choose.
 */
class ProxiedUpgradeTest {
    static final String PAGE = "http://localhost:8443";
    static final String EVIL = "https://evil.example";
    static final String LOGIN = "{\"username\":\"alice\",\"password\":\"alice-password\"}";

    /** Requests come from 127.0.0.1, listed as a trusted proxy. */
    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("server.public_url", PAGE).with("server.trusted_proxies", List.of("127.0.0.1/32"));

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    /** How the proxy passes the request on: its HTTP version and the Host it sends (null: none). */
    record Proxy(String httpVersion, String host) {
        List<String> head(String... more) {
            List<String> h = new ArrayList<>();
            if (host != null) {
                h.add("Host: " + host);
            }
            h.add("X-Forwarded-For: 203.0.113.7");
            h.add("X-Forwarded-Proto: http");
            h.addAll(Arrays.asList(more));
            return h;
        }
    }

    static final List<Proxy> PROXIES =
            List.of(new Proxy("1.1", "localhost"), new Proxy("1.0", null), new Proxy("1.1", null));

    static RawHttp.Answer http(String method, String path, String body, String httpVersion, List<String> headers) {
        return RawHttp.exchange(server.gatehouse().port(), method, path, httpVersion, headers, body);
    }

    static RawWebSocket upgrade(Proxy proxy, String query, List<String> headers) {
        return RawWebSocket.connectExactly(
                "127.0.0.1",
                server.gatehouse().port(),
                "/ws" + (query.isEmpty() ? "" : "?" + query),
                proxy.httpVersion(),
                headers.toArray(String[]::new));
    }

    static void assertEstablished(RawWebSocket ws, String what) {
        assertThat(ws.status()).as("%s: %s", what, ws.handshakeResponse()).isEqualTo(101);
        RawWebSocket.Frame f = ws.readFrame(10_000);
        assertThat(f.text()).as(what).contains("\"type\":\"connection_established\"");
    }

    static void assertOriginRefused(RawWebSocket ws, String what) {
        assertThat(ws.status()).as("%s: %s", what, ws.handshakeResponse()).isEqualTo(403);
        assertThat(ws.readHttpBody(10_000)).as(what).contains("ORIGIN_NOT_ALLOWED");
    }

    @Test
    void aCookieSessionOfThePublicOriginLogsInVerifiesRefreshesAndUpgradesWhateverHostTheProxySends() {
        for (Proxy proxy : PROXIES) {
            RawHttp.Answer login =
                    http("POST", "/api/v1/auth/login", LOGIN, proxy.httpVersion(), proxy.head("Origin: " + PAGE));
            assertThat(login.status())
                    .as("login via %s: %s", proxy, login.body())
                    .isEqualTo(200);
            String session = login.cookie("gh_session");
            String csrf = login.body().path("csrf_token").asText();
            String cookie = "Cookie: gh_session=" + session;

            RawHttp.Answer verify = http(
                    "GET",
                    "/api/v1/auth/verify",
                    "",
                    proxy.httpVersion(),
                    proxy.head("Origin: " + PAGE, cookie, "X-CSRF-Token: " + csrf));
            assertThat(verify.status())
                    .as("verify via %s: %s", proxy, verify.body())
                    .isEqualTo(200);
            assertThat(verify.body().path("method").asText()).isEqualTo("session");

            RawHttp.Answer refresh = http(
                    "POST",
                    "/api/v1/auth/refresh",
                    "",
                    proxy.httpVersion(),
                    proxy.head("Origin: " + PAGE, cookie, "X-CSRF-Token: " + csrf));
            assertThat(refresh.status())
                    .as("refresh via %s: %s", proxy, refresh.body())
                    .isEqualTo(200);
            String fresh = refresh.body().path("csrf_token").asText();

            String query = "csrf_token=" + URLEncoder.encode(fresh, StandardCharsets.UTF_8);
            try (RawWebSocket ws = upgrade(proxy, query, proxy.head("Origin: " + PAGE, cookie))) {
                assertEstablished(ws, "cookie upgrade via " + proxy);
            }
            try (RawWebSocket ws = upgrade(proxy, query, proxy.head("Origin: " + EVIL, cookie))) {
                assertOriginRefused(ws, "foreign cookie upgrade via " + proxy);
            }
            try (RawWebSocket ws = upgrade(proxy, query, proxy.head(cookie))) {
                assertOriginRefused(ws, "cookie upgrade without Origin via " + proxy);
            }
            RawHttp.Answer foreignVerify = http(
                    "GET",
                    "/api/v1/auth/verify",
                    "",
                    proxy.httpVersion(),
                    proxy.head("Origin: " + EVIL, cookie, "X-CSRF-Token: " + fresh));
            assertThat(foreignVerify.status())
                    .as("foreign verify via %s", proxy)
                    .isEqualTo(403);
            assertThat(foreignVerify.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        }
    }

    @Test
    void aForeignOriginCannotLogInThroughTheProxy() {
        for (Proxy proxy : PROXIES) {
            RawHttp.Answer login =
                    http("POST", "/api/v1/auth/login", LOGIN, proxy.httpVersion(), proxy.head("Origin: " + EVIL));
            assertThat(login.status()).as("login via %s", proxy).isEqualTo(403);
            assertThat(login.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        }
    }

    @Test
    void aTokenUpgradeOfThePublicOriginOrWithoutOriginIsAcceptedWhateverHostTheProxySends() {
        String token = Jwts.hs256For("bob");
        for (Proxy proxy : PROXIES) {
            try (RawWebSocket ws =
                    upgrade(proxy, "", proxy.head("Origin: " + PAGE, "Authorization: Bearer " + token))) {
                assertEstablished(ws, "token upgrade from the page via " + proxy);
            }
            try (RawWebSocket ws = upgrade(proxy, "", proxy.head("Authorization: Bearer " + token))) {
                assertEstablished(ws, "token upgrade without Origin via " + proxy);
            }
            try (RawWebSocket ws = upgrade(
                    proxy,
                    "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
                    proxy.head("Origin: " + PAGE))) {
                assertEstablished(ws, "query-token upgrade from the page via " + proxy);
            }
            try (RawWebSocket ws =
                    upgrade(proxy, "", proxy.head("Origin: " + EVIL, "Authorization: Bearer " + token))) {
                assertOriginRefused(ws, "foreign token upgrade via " + proxy);
            }
            RawHttp.Answer verify = http(
                    "GET",
                    "/api/v1/auth/verify",
                    "",
                    proxy.httpVersion(),
                    proxy.head("Origin: " + PAGE, "Authorization: Bearer " + token));
            assertThat(verify.status())
                    .as("token verify via %s: %s", proxy, verify.body())
                    .isEqualTo(200);
        }
    }

    /**
     * A browser never writes the scheme's default port in Origin ({@code https://app.example.test},
     * not {@code :443}), so a public_url or allowed origin written with it must still match.
     */
    @Test
    void aPublicUrlOrAllowedOriginWrittenWithTheDefaultPortMatchesTheOriginBrowsersSend() {
        try (TestGatehouse pub = new TestGatehouse()
                .with("server.public_url", "https://app.example.test:443/")
                .with("server.allowed_origins", List.of("http://other.example.test:80"))
                .with("server.trusted_proxies", List.of("127.0.0.1/32"))
                .start()) {
            pub.user("alice", "alice-password", false);
            for (String origin : List.of("https://app.example.test", "http://other.example.test")) {
                RawHttp.Answer login = RawHttp.exchange(
                        pub.gatehouse().port(),
                        "POST",
                        "/api/v1/auth/login",
                        "1.1",
                        List.of("Host: app.example.test", "Origin: " + origin),
                        LOGIN);
                assertThat(login.status())
                        .as("login from %s: %s", origin, login.body())
                        .isEqualTo(200);
                String query = "csrf_token="
                        + URLEncoder.encode(login.body().path("csrf_token").asText(), StandardCharsets.UTF_8);
                try (RawWebSocket ws = RawWebSocket.connectExactly(
                        "127.0.0.1",
                        pub.gatehouse().port(),
                        "/ws?" + query,
                        "1.1",
                        "Host: app.example.test",
                        "Origin: " + origin,
                        "Cookie: gh_session=" + login.cookie("gh_session"))) {
                    assertEstablished(ws, "cookie upgrade from " + origin);
                }
            }
        }
    }
}
