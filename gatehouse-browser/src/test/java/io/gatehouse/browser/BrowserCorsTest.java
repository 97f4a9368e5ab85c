package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium, with two host names (not only two ports): a single-page app on an allowed
 * origin of the same site logs in through CORS, opens a cookie socket, verifies and logs out; a
 * foreign origin cannot log in; an allowed origin on another site gets its answers but no cookie
 * (SameSite=Lax), so it uses tokens, which work.
 */
class BrowserCorsTest {
    static final String SPA = "http://app." + Chromium.TEST_DOMAIN + ":" + ClientPage.appPort();
    static final String CROSS_SITE_SPA = "http://app." + Chromium.OTHER_SITE + ":" + ClientPage.appPort();
    static final String FOREIGN = "http://evil." + Chromium.OTHER_SITE + ":" + ClientPage.appPort();

    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("server.allowed_origins", List.of(SPA, CROSS_SITE_SPA));

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    /** The gateway as the SPA sees it: another host name of the same site. */
    static String gateway() {
        return "http://ws." + Chromium.TEST_DOMAIN + ":" + server.gatehouse().port();
    }

    static final String LOGIN = "async (gw) => { const r = await fetch(gw + '/api/v1/auth/login', {method: 'POST',"
            + " credentials: 'include', headers: {'Content-Type': 'application/json'},"
            + " body: JSON.stringify({username: 'alice', password: 'alice-password'})});"
            + " const body = await r.json(); window.csrf = body.csrf_token; return r.status; }";

    @Test
    void anSpaOnAnAllowedOriginLogsInThroughCorsOpensACookieSocketAndLogsOut() {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage spa = ClientPage.open(context, SPA, gateway());
            assertThat(spa.eval(LOGIN, gateway())).isEqualTo(200);
            spa.eval(
                    "(url) => { window.gh = window.Gatehouse.connect({url, csrf: () => window.csrf,"
                            + " onAuthError: window.record('gh:authError'), onStateChange: window.record('gh:state')}); }",
                    spa.wsUrl());
            spa.awaitState("gh", "connected");
            assertThat(spa.text("() => window.gh.user.id")).isEqualTo("local:alice");

            Object verify = spa.eval(
                    "async (gw) => (await fetch(gw + '/api/v1/auth/verify', {credentials: 'include',"
                            + " headers: {'X-CSRF-Token': window.csrf}})).status",
                    gateway());
            assertThat(verify).isEqualTo(200);

            Object logout = spa.eval(
                    "async (gw) => (await fetch(gw + '/api/v1/auth/logout', {method: 'POST', credentials: 'include',"
                            + " headers: {'X-CSRF-Token': window.csrf}})).status",
                    gateway());
            assertThat(logout).isEqualTo(200);
            spa.until("window.gh.state === 'stopped'");
            assertThat(spa.text("() => window.events.find((e) => e.kind === 'gh:authError').code"))
                    .isEqualTo("TOKEN_REVOKED");
        }
    }

    @Test
    void aForeignOriginCannotLogInNorOpenASocket() throws Exception {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage page = ClientPage.open(context, FOREIGN, gateway());
            Object outcome = page.eval(
                    "async (gw) => { try { await fetch(gw + '/api/v1/auth/login', {method: 'POST', credentials:"
                            + " 'include', headers: {'Content-Type': 'application/json'}, body: JSON.stringify("
                            + "{username: 'alice', password: 'alice-password'})}); return 'answered'; }"
                            + " catch (e) { return 'blocked: ' + e.name; } }",
                    gateway());
            assertThat(outcome).isEqualTo("blocked: TypeError");

            page.connectWithToken("gh", Jwts.hs256For("foreign-user"));
            Thread.sleep(2_000);
            assertThat(page.text("() => window.gh.state")).isNotEqualTo("connected");
            assertThat(page.text("() => JSON.stringify(window.closes.map((c) => c.opened))"))
                    .doesNotContain("true");
        }
    }

    @Test
    void aCrossSiteSpaGetsNoCookieWithLaxAndUsesATokenInstead() {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage spa = ClientPage.open(context, CROSS_SITE_SPA, gateway());
            assertThat(spa.eval(LOGIN, gateway()))
                    .as("CORS lets the page read the answer")
                    .isEqualTo(200);
            Object verify = spa.eval(
                    "async (gw) => { const r = await fetch(gw + '/api/v1/auth/verify', {credentials: 'include',"
                            + " headers: {'X-CSRF-Token': window.csrf}}); return (await r.json()).code; }",
                    gateway());
            assertThat(verify)
                    .as("the SameSite=Lax cookie is not sent cross-site")
                    .isEqualTo("TOKEN_MISSING");

            spa.connectWithToken("gh", Jwts.hs256For("cross-site-user"));
            spa.awaitState("gh", "connected");
            assertThat(spa.text("() => window.gh.user.id")).isEqualTo("cross-site-user");
        }
    }
}
