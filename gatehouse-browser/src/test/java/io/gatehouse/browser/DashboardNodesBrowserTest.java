package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.RedisTestKeys;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, in Chromium: on several nodes sharing the real Redis at 127.0.0.1:6379 (.ci/run starts
 * it), the dashboard of one node lists every node's figures and the deployment's total (the
 * get_stats answer's nodes and total), and on a single node it shows no such table.
 */
class DashboardNodesBrowserTest {
    private static final String ADMIN = "root";
    private static final String ADMIN_PASSWORD = "root-password-1";
    private static final String REDIS_URL = RedisTestKeys.REDIS_URL;
    private static final String PREFIX =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @RegisterExtension
    static final TestGatehouse nodeA = node();

    @RegisterExtension
    static final TestGatehouse nodeB = node();

    @RegisterExtension
    static final TestGatehouse alone = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static TestGatehouse node() {
        return new TestGatehouse()
                .with(ConfigKey.BROKER_URL.key(), REDIS_URL)
                .with(ConfigKey.BROKER_PREFIX.key(), PREFIX);
    }

    @BeforeAll
    static void users() {
        nodeA.user(ADMIN, ADMIN_PASSWORD, true);
        alone.user(ADMIN, ADMIN_PASSWORD, true);
    }

    @AfterAll
    static void deleteKeysOfThisDeployment() {
        RedisTestKeys.deleteUnder(PREFIX);
    }

    @Test
    void theDashboardOfOneNodeListsEveryNodeAndTheTotal() {
        try (WsRecorder b1 = nodeB.connectAs("bee1");
                WsRecorder b2 = nodeB.connectAs("bee2");
                WsRecorder b3 = nodeB.connectAs("bee3");
                WsRecorder a1 = nodeA.connectAs("ant1");
                BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, nodeA.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            String self = nodeA.ws().getAuthority();
            String other = nodeB.ws().getAuthority();
            // Node A: ant1 and the dashboard's own socket; node B: three. Samples reach Redis every
            // interval and the page asks get_stats again every 5 s.
            page.waitForFunction(
                    "([self, other]) => {"
                            + " const conns = (n) => document.querySelector("
                            + "`#nodes tr[data-testid=node][data-node=\"${n}\"] td`)?.dataset.value;"
                            + " return conns(self) === '2' && conns(other) === '3'"
                            + " && document.querySelectorAll('#nodes tr[data-testid=node]').length === 2; }",
                    List.of(self, other));
            assertThat(page.isHidden("#nodes-panel")).isFalse();
            assertThat(page.getAttribute("#nodes tr[data-testid=node]:first-child", "data-node"))
                    .as("this node first")
                    .isEqualTo(self);
            assertThat(page.getAttribute("#nodes tr[data-testid=node]:first-child", "data-self"))
                    .isEqualTo("true");
            page.waitForFunction("() => document.querySelector('#nodes-total tr td')?.dataset.value === '5'");
            assertThat(page.textContent("#nodes-total tr th")).isEqualTo("2 nodes");
            dashboard.screenshot("dashboard-nodes");
        }
    }

    @Test
    void aSingleNodesDashboardHasNoNodesTable() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, alone.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            page.waitForFunction("() => /\\d+s/.test(document.getElementById('uptime').textContent)");
            assertThat(page.isHidden("#nodes-panel")).isTrue();
        }
    }
}
