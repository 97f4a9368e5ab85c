package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.RefusalCodeScript;
import io.gatehouse.testing.TestGatehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issues 12 and 14: the browser client, the test page and the dashboard are served; nothing outside web/ is. */
class WebAssetsTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void theRefusalTableIsWrittenFromRefusalCodeByTheRunningServer() {
        TestGatehouse.Reply r = server.get("/client/refusal-codes.js");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(r.raw().body()).isEqualTo(RefusalCodeScript.render());
        assertThat(r.raw().headers().firstValue("access-control-allow-origin"))
                .as("an SPA on another origin imports the client as a module")
                .hasValue("*");
        assertThat(r.raw().headers().firstValue("access-control-allow-credentials"))
                .isEmpty();
    }

    @Test
    void theTestPageIsServedAsHtmlWithAStrictContentSecurityPolicy() {
        new ServedPage(server, "/test", "/test/test-page.js").assertServedWithPageHeaders();
    }

    @Test
    void theRootIsTheDashboardWithTheHeadersOfTheTestPage() {
        TestGatehouse.Reply r = new ServedPage(server, "/", "/dashboard/dashboard.js").assertServedWithPageHeaders();
        assertThat(r.raw().body()).contains("<title>Gatehouse dashboard</title>");
    }

    @Test
    void theCspLetsThePageConnectToThisServerOnly() {
        String csp = server.get("/test")
                .raw()
                .headers()
                .firstValue("content-security-policy")
                .orElseThrow();
        assertThat(csp).contains("connect-src 'self';").doesNotContain("ws:").doesNotContain("wss:");
    }

    @Test
    void namesOutsideTheWebFolderOrUnknownAre404WithTheCode() {
        for (String path : new String[] {
            "/client/..%2Flogback.xml",
            "/client/%2e%2e%2flogback.xml",
            "/client/logback.xml",
            "/client/nothing-here.js",
            "/client/UPPER.js",
            "/test/..%2F..%2Flogback.xml",
            "/test/x.class",
            "/dashboard/..%2Fclient%2Fgatehouse.js",
            "/dashboard/nothing-here.js",
            "/dashboard/index.json"
        }) {
            TestGatehouse.Reply r = server.get(path);
            assertThat(r.status()).as(path).isIn(400, 404);
            if (r.status() == 404) {
                assertThat(r.body().path("code").asText()).as(path).isEqualTo("NOT_FOUND");
            }
        }
    }
}
