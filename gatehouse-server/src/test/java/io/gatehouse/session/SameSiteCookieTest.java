package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.TestGatehouse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12: {@code auth.session.same_site} sets the SameSite of both session cookies on login,
 * refresh and logout, over real HTTP; {@code none} makes them Secure whatever the request came
 * over, and without TLS in front the server says so at start.
 */
class SameSiteCookieTest {
    static final String LOGIN = "{\"username\":\"alice\",\"password\":\"alice-password\"}";

    /** The Set-Cookie values for gh_session and gh_csrf of {@code r}, in that order. */
    static List<String> cookies(TestGatehouse.Reply r) {
        List<String> all = r.raw().headers().allValues("set-cookie");
        String session = all.stream()
                .filter(c -> c.startsWith("gh_session="))
                .findFirst()
                .orElseThrow();
        String csrf =
                all.stream().filter(c -> c.startsWith("gh_csrf=")).findFirst().orElseThrow();
        return List.of(session, csrf);
    }

    @ParameterizedTest(name = "same_site {0}: SameSite={1}, Secure over plain http: {2}")
    @CsvSource({"'', Lax, false", "lax, Lax, false", "strict, Strict, false", "none, None, true", "NONE, None, true"})
    void theCookiesCarryTheConfiguredSameSite(String configured, String attribute, boolean secure) {
        TestGatehouse gateway = new TestGatehouse();
        if (!configured.isEmpty()) {
            gateway.with("auth.session.same_site", configured);
        }
        try (TestGatehouse server = gateway.start()) {
            server.user("alice", "alice-password", false);
            String origin = BrowserSession.ownOrigin(server);
            TestGatehouse.Reply login = server.post("/api/v1/auth/login", LOGIN, "Origin", origin);
            assertThat(login.status()).as("%s", login.body()).isEqualTo(200);
            String session = cookies(login).get(0);
            String csrf = login.body().path("csrf_token").asText();
            String[] credential = {
                "Origin", origin, "Cookie", session.substring(0, session.indexOf(';')), "X-CSRF-Token", csrf
            };
            TestGatehouse.Reply refresh = server.post("/api/v1/auth/refresh", "", credential);
            assertThat(refresh.status()).as("%s", refresh.body()).isEqualTo(200);
            credential[5] = refresh.body().path("csrf_token").asText();
            TestGatehouse.Reply logout = server.post("/api/v1/auth/logout", "", credential);
            assertThat(logout.status()).as("%s", logout.body()).isEqualTo(200);

            for (TestGatehouse.Reply r : List.of(login, refresh, logout)) {
                for (String cookie : cookies(r)) {
                    assertThat(cookie).contains("; SameSite=" + attribute).containsOnlyOnce("SameSite=");
                    if (secure) {
                        assertThat(cookie).contains("; Secure");
                    } else {
                        assertThat(cookie).doesNotContain("Secure");
                    }
                }
                assertThat(cookies(r).get(0)).endsWith("; HttpOnly");
                assertThat(cookies(r).get(1)).doesNotContain("HttpOnly");
            }
        }
    }

    @Test
    void laxBehindATlsProxyIsSecureAsBefore() {
        try (TestGatehouse server = new TestGatehouse()
                .with("server.trusted_proxies", List.of("127.0.0.1/32"))
                .start()) {
            server.user("alice", "alice-password", false);
            TestGatehouse.Reply login = server.post("/api/v1/auth/login", LOGIN, "X-Forwarded-Proto", "https");
            assertThat(cookies(login)).allSatisfy(c -> assertThat(c).contains("; SameSite=Lax; Secure"));
        }
    }

    @Test
    void noneWithoutTlsInFrontIsWarnedAboutAtStartNamingTheKey() {
        try (LogCapture logs = new LogCapture()) {
            try (TestGatehouse server =
                    new TestGatehouse().with("auth.session.same_site", "none").start()) {
                assertThat(server.url()).isNotEmpty();
            }
            assertThat(logs.events()).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage())
                        .contains("auth.session.same_site")
                        .contains("server.trusted_proxies");
            });
        }
    }

    @Test
    void noneBehindATrustedProxyOrWithCookieSessionsOffIsNotWarnedAbout() {
        try (LogCapture logs = new LogCapture()) {
            try (TestGatehouse proxied = new TestGatehouse()
                    .with("auth.session.same_site", "none")
                    .with("server.trusted_proxies", List.of("10.0.0.0/8"))
                    .start()) {
                assertThat(proxied.url()).isNotEmpty();
            }
            try (TestGatehouse upstream = new TestGatehouse()
                    .with("auth.session.same_site", "none")
                    .with("server.tls_terminated_upstream", true)
                    .start()) {
                assertThat(upstream.url()).isNotEmpty();
            }
            try (TestGatehouse tokensOnly = new TestGatehouse()
                    .with("auth.session.same_site", "none")
                    .with("auth.session.enabled", false)
                    .start()) {
                assertThat(tokensOnly.url()).isNotEmpty();
            }
            assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains("auth.session.same_site"));
        }
    }
}
