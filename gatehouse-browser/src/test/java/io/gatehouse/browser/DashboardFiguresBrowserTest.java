package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.ShiftedClock;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, in Chromium: the dashboard's header and figures follow the node's traffic (upgrades
 * accepted and refused, messages in and out, deliveries; node, version, uptime, heap, CPU, queues),
 * and the refusal table's filters (code, user, IP, time) narrow it to what they name. The server's
 * clock can be set back, so that a refusal is older than the "last 5 min" window; a user has two
 * connections at most, so that a refusal names its user.
 */
class DashboardFiguresBrowserTest {
    private static final String ADMIN = "root";
    private static final String ADMIN_PASSWORD = "root-password-1";
    private static final String ROWS = "#refusals tr[data-testid=refusal]";

    private static final ShiftedClock clock = new ShiftedClock();

    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().clock(clock).with(ConfigKey.LIMITS_CONNECTIONS_PER_USER.key(), 2);

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user(ADMIN, ADMIN_PASSWORD, true);
    }

    @Test
    void theHeaderAndTheFiguresFollowTheNodesTraffic() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            assertThat(page.textContent("#node")).isEqualTo(server.ws().getAuthority());
            page.waitForFunction("() => /\\d+s/.test(document.getElementById('uptime').textContent)");
            for (String id : List.of("fig-heap", "fig-cpu", "fig-access-log-queue", "fig-webhook-queue")) {
                assertThat(dashboard.figure(id)).as(id).isGreaterThanOrEqualTo(0);
            }
            assertThat(dashboard.figure("fig-slow-consumers")).isZero();

            // Rates show for one sample each: the page's figures are watched from before the traffic.
            List<String> rates = List.of(
                    "fig-upgrades-accepted",
                    "fig-upgrades-refused",
                    "fig-messages-in",
                    "fig-messages-out",
                    "fig-deliveries");
            page.evaluate(
                    "(ids) => { window.highest = {}; const watch = new MutationObserver(() => ids.forEach((id) => {"
                            + " const v = Number(document.getElementById(id).dataset.value);"
                            + " window.highest[id] = Math.max(window.highest[id] ?? 0, v); }));"
                            + " ids.forEach((id) => watch.observe(document.getElementById(id),"
                            + " {attributes: true, attributeFilter: ['data-value']})); }",
                    rates);
            try (WsRecorder reader = server.connectAs("reader")) {
                refuseOneUpgrade("Bearer not-a-token");
                reader.subscribe("figures"); // a message in
                for (int i = 0; i < 5; i++) {
                    server.publish("figures", "{\"n\": " + i + "}"); // deliveries and messages out
                    reader.awaitType("message");
                }
                page.waitForFunction("(ids) => ids.every((id) => window.highest[id] > 0)", rates);
            }
        }
    }

    @Test
    void theRefusalFiltersNarrowTheTableToTheCodeUserIpAndTime() {
        // An old refusal (the server's clock 10 minutes back), then new ones of two codes.
        clock.advance(Duration.ofMinutes(-10));
        refuseOneUpgrade("Bearer old-" + System.nanoTime());
        clock.advance(Duration.ofMinutes(10));
        refuseOneUpgrade("Bearer new-" + System.nanoTime());
        // A refusal with a user: eve past limits.connections_per_user (the user is known by then).
        try (WsRecorder first = server.connectAs("eve");
                WsRecorder second = server.connectAs("eve");
                WsRecorder third = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("eve"))) {
            assertThat(third.awaitClose().reason()).startsWith(RefusalCode.TOO_MANY_CONNECTIONS.name());
        }

        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            awaitRows(page, "(rows) => rows.length >= 3");

            page.selectOption("#filter-code", RefusalCode.TOKEN_INVALID.name());
            awaitRows(page, "(rows) => rows.length >= 2 && rows.every((r) => r.dataset.code === 'TOKEN_INVALID')");
            page.selectOption("#filter-code", "");

            page.fill("#filter-user", "eve");
            page.click("#filter-apply");
            awaitRows(
                    page,
                    "(rows) => rows.length >= 1"
                            + " && rows.every((r) => r.querySelector('td[data-col=user]').textContent === 'eve')");
            page.fill("#filter-user", "");

            page.fill("#filter-ip", "10.9.8.7");
            page.click("#filter-apply");
            awaitRows(page, "(rows) => rows.length === 0");
            page.waitForSelector("#refusals-empty:not([hidden])");
            page.fill("#filter-ip", "127.0.0.1");
            page.click("#filter-apply");
            awaitRows(page, "(rows) => rows.length >= 3");

            // The old refusal is in "any time" and not in "last 5 min".
            awaitRows(page, "(rows) => rows.some((r) => Date.now() - Date.parse(r.dataset.time) > 5 * 60000)");
            page.selectOption("#filter-since", "300000");
            awaitRows(
                    page,
                    "(rows) => rows.length >= 2"
                            + " && rows.every((r) => Date.now() - Date.parse(r.dataset.time) < 5 * 60000)");
        }
    }

    /** Waits until the refusal rows, as an array, satisfy {@code predicate} (a JS function of them). */
    private static void awaitRows(Page page, String predicate) {
        page.waitForFunction("(selector) => (" + predicate + ")([...document.querySelectorAll(selector)])", ROWS);
    }

    /** An upgrade the server refuses (before or right after the handshake). */
    private static void refuseOneUpgrade(String authorization) {
        try (WsRecorder refused = WsRecorder.connect(server.ws(), "Authorization", authorization)) {
            refused.awaitClose();
        } catch (WsRecorder.HandshakeRefused expected) {
            assertThat(expected.status).isEqualTo(401);
        }
    }
}
