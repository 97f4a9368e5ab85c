package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, in Chromium: the dashboard at {@code /} as an admin uses it. Log in; the connection
 * figure and chart move when clients connect; a refused upgrade is in the refusal table with its
 * code and hint within 2 s; Disconnect closes that client with the chosen code; Revoke ends an opaque
 * token and its connection; a broadcast reaches a
 * subscriber; a user without the admin role sees "Admin only"; no request leaves the page's origin;
 * the page fits a phone. Screenshots go to {@code target/dashboard*.png}. The channels and tasks
 * tables are in {@link DashboardPanelsBrowserTest}; the webhook dead letters and a stale CSRF token,
 * which need servers configured for them, in {@link DashboardDeadLettersBrowserTest} and {@link
 * DashboardStaleCsrfBrowserTest}.
 */
class DashboardBrowserTest {
    private static final String ADMIN = "root";
    private static final String ADMIN_PASSWORD = "root-password-1";
    /** An element that is there, shown or not (an empty result line has no size). */
    private static final Page.WaitForSelectorOptions ATTACHED =
            new Page.WaitForSelectorOptions().setState(WaitForSelectorState.ATTACHED);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user(ADMIN, ADMIN_PASSWORD, true);
        server.user("alice", "alice-password", false);
        server.user("bob", "bob-password", false);
    }

    @Test
    void anAdminLogsInAndSeesTheNodesFiguresWithTheChartsFilledFromHistory() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            assertThat(page.textContent("#who")).isEqualTo(ADMIN);
            assertThat(page.textContent("#version")).isNotBlank().isNotEqualTo("—");
            // The first figure comes from the history, which may predate the page's socket: the
            // sample after it counts the socket.
            page.waitForFunction("() => Number(document.getElementById('fig-connections').dataset.value) >= 1");
            page.waitForSelector("#chart-connections[data-samples]");
            page.waitForSelector("#chart-upgrades[data-samples]");
            page.waitForSelector("#chart-deliveries[data-samples]");
            assertThat(page.textContent("#fig-heap")).contains("MiB");
            page.waitForSelector(DashboardPage.connectionRow("local:" + ADMIN) + "[data-self=true]");
        }
    }

    @Test
    void theConnectionCountAndItsChartMoveWhenClientsConnect() {
        // 1280 x 800, the size of the screenshot.
        try (BrowserContext context = chromium.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            long before = settledConnections(dashboard);
            List<WsRecorder> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    WsRecorder client = server.connectAs("mover-" + i);
                    client.subscribe("moves");
                    clients.add(client);
                }
                dashboard.awaitFigure("fig-connections", before + 3);
                dashboard.awaitChartLast("chart-connections", before + 3);
                for (int i = 0; i < 3; i++) {
                    dashboard.page().waitForSelector(DashboardPage.connectionRow("mover-" + i));
                }
                assertThat(dashboard
                                .page()
                                .textContent(DashboardPage.connectionRow("mover-0") + " td[data-col=subscriptions]"))
                        .contains("moves");
                dashboard.page().waitForSelector("#channels tr[data-testid=channel][data-channel=moves]");
                dashboard.screenshot("dashboard");
            } finally {
                clients.forEach(WsRecorder::close);
            }
            dashboard.awaitFigure("fig-connections", before);
            dashboard.awaitChartLast("chart-connections", before);
        }
    }

    @Test
    void aRefusedUpgradeIsInTheRefusalTableWithItsCodeAndHintWithinTwoSeconds() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            page.waitForSelector("#refusals-result[data-loaded-at]", ATTACHED);
            Instant refusedAt = Instant.now();
            refuseOneUpgrade("Bearer not-a-token-" + System.nanoTime());
            long shownAfterMs = waitForRefusalSince(page, RefusalCode.TOKEN_INVALID, refusedAt);
            System.out.println("the refused upgrade was in the table after " + shownAfterMs + " ms");
            String row = "#refusals tr[data-testid=refusal][data-code=TOKEN_INVALID]";
            assertThat(page.textContent(row + " td[data-col=code]")).isEqualTo("TOKEN_INVALID");
            assertThat(page.textContent(row + " td[data-col=hint]")).isEqualTo(RefusalCode.TOKEN_INVALID.defaultHint());
            assertThat(shownAfterMs).as("ms from the refusal to its row").isLessThanOrEqualTo(2000);
        }
    }

    @Test
    void disconnectFromTheTableClosesThatClientWithTheChosenCode() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            try (WsRecorder victim = server.connectAs("victim")) {
                String row = DashboardPage.connectionRow("victim");
                page.waitForSelector(row);
                page.selectOption(row + " select[data-testid=disconnect-code]", RefusalCode.TOKEN_REVOKED.name());
                page.click(row + " button[data-testid=disconnect]");
                WsRecorder.Close close = victim.awaitClose();
                assertThat(close.code()).isEqualTo(RefusalCode.TOKEN_REVOKED.closeCode());
                assertThat(close.reason()).startsWith(RefusalCode.TOKEN_REVOKED.name());
                page.waitForSelector("#action-result[data-outcome=ok]");
                assertThat(page.textContent("#action-result"))
                        .contains("victim")
                        .contains("TOKEN_REVOKED");
                page.waitForSelector(row, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.DETACHED));
            }
        }
    }

    @Test
    void revokeFromTheTableEndsTheOpaqueTokenAndItsConnection() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            String token = server.localOpaqueToken("bob");
            try (WsRecorder bob = server.connectWith(token)) {
                String row = DashboardPage.connectionRow("local:bob");
                page.waitForSelector(row + " button[data-testid=revoke]");
                page.click(row + " button[data-testid=revoke]");
                WsRecorder.Close close = bob.awaitClose();
                assertThat(close.code()).isEqualTo(RefusalCode.TOKEN_REVOKED.closeCode());
                assertThat(close.reason()).startsWith(RefusalCode.TOKEN_REVOKED.name());
                page.waitForSelector("#action-result[data-outcome=ok]");
                assertThat(page.textContent("#action-result"))
                        .contains("Revoked ght_")
                        .contains("local:bob");
            }
            // The token itself is dead, not only its connection.
            TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
            assertThat(verify.status()).isEqualTo(401);
            assertThat(verify.body().path("code").asText()).isEqualTo(RefusalCode.TOKEN_REVOKED.name());
        }
    }

    @Test
    void aBroadcastReachesASubscribedClientAndDataThatIsNotJsonIsNotSent() {
        try (BrowserContext context = chromium.newContext();
                WsRecorder listener = server.connectAs("listener")) {
            listener.subscribe("dash-news");
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            page.fill("#broadcast-channels", "dash-news");
            page.fill("#broadcast-data", "{\"headline\": ");
            page.waitForSelector("#broadcast-json[data-valid=false]");
            page.click("#broadcast");
            page.waitForSelector("#broadcast-result[data-outcome=error]");
            assertThat(page.textContent("#broadcast-result")).contains("not JSON");
            listener.assertQuiet(Duration.ofMillis(500));

            page.fill("#broadcast-data", "{\"headline\": \"from the dashboard\"}");
            page.click("#broadcast");
            JsonNode message = listener.awaitType("message");
            assertThat(message.path("channel").asText()).isEqualTo("dash-news");
            assertThat(message.path("data").path("headline").asText()).isEqualTo("from the dashboard");
            page.waitForSelector("#broadcast-result[data-outcome=ok]");
            assertThat(page.textContent("#broadcast-result")).contains("dash-news");
        }
    }

    @Test
    void aUserWithoutTheAdminRoleSeesAdminOnlyAndCanLogOut() {
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logIn("alice", "alice-password");
            Page page = dashboard.page();
            page.waitForSelector("#view-denied:not([hidden])");
            assertThat(page.textContent("#denied-title")).isEqualTo("Admin only");
            assertThat(page.textContent("#denied-user")).contains("alice");
            assertThat(page.isHidden("#view-dashboard")).isTrue();
            dashboard.screenshot("dashboard-admin-only");
            page.click("#denied-logout");
            page.waitForSelector("#view-login:not([hidden])");
            page.reload();
            page.waitForSelector("#view-login:not([hidden])");
        }
    }

    @Test
    void noRequestOfThePageLeavesItsOrigin() {
        try (BrowserContext context = chromium.newContext()) {
            List<String> requests = new CopyOnWriteArrayList<>();
            context.onRequest(r -> requests.add(r.url()));
            context.onPage(p -> p.onWebSocket(ws -> requests.add(ws.url())));
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            dashboard.page().waitForSelector("#connections tr[data-testid=connection]");
            dashboard.page().waitForSelector("#refusals-result[data-loaded-at]", ATTACHED);
            dashboard.page().waitForTimeout(1500); // a few pushes and a table refresh more
            URI origin = URI.create(server.url());
            List<String> foreign = requests.stream()
                    .filter(u -> !u.startsWith("data:"))
                    .filter(u -> {
                        URI uri = URI.create(u);
                        return !(uri.getHost().equals(origin.getHost()) && uri.getPort() == origin.getPort());
                    })
                    .toList();
            assertThat(foreign).as("requests to another origin").isEmpty();
            assertThat(requests)
                    .as("the check saw the page's own traffic")
                    .anyMatch(u -> u.startsWith(origin.toString().replaceFirst("^http", "ws") + "/ws"))
                    .anyMatch(u -> u.contains("/api/v1/connections"))
                    .anyMatch(u -> u.contains("/dashboard/dashboard.js"));
        }
    }

    @Test
    void theDashboardFitsAPhoneScreen() {
        Browser.NewContextOptions phone = new Browser.NewContextOptions()
                .setViewportSize(375, 812)
                .setDeviceScaleFactor(2)
                .setIsMobile(true)
                .setHasTouch(true);
        try (BrowserContext context = chromium.newContext(phone)) {
            DashboardPage dashboard = DashboardPage.open(context, server.url());
            Page page = dashboard.page();
            assertThat(pageWidth(page)).as("the login form, no sideways scroll").isLessThanOrEqualTo(375);
            dashboard.logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            page.waitForSelector("#chart-connections[data-samples]");
            page.waitForSelector("#connections tr[data-testid=connection]");
            assertThat(pageWidth(page)).as("the dashboard, no sideways scroll").isLessThanOrEqualTo(375);
            // The charts are one above the other, each the width of the screen less the margins.
            double chartWidth = ((Number) page.evaluate(
                            "() => document.getElementById('chart-connections').getBoundingClientRect().width"))
                    .doubleValue();
            assertThat(chartWidth).isBetween(300.0, 375.0);
            dashboard.screenshot("dashboard-phone");
        }
    }

    /**
     * The node's open connections once the figure shows them (the page's own socket included, and
     * the sockets of the tests before closed): the server's count, and the figure equal to it.
     */
    private static long settledConnections(DashboardPage dashboard) {
        String key = server.apiKey("admin");
        long[] count = new long[1];
        org.awaitility.Awaitility.await("the connection figure equals the server's count")
                .atMost(ClientPage.WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    count[0] = server.get("/api/v1/stats", "Authorization", "apikey " + key)
                            .body()
                            .path("connections")
                            .asLong();
                    return count[0] >= 1 && dashboard.figure("fig-connections") == count[0];
                });
        return count[0];
    }

    private static int pageWidth(Page page) {
        return ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
    }

    /** An upgrade the server refuses (before or right after the handshake). */
    private static void refuseOneUpgrade(String authorization) {
        try (WsRecorder refused = WsRecorder.connect(server.ws(), "Authorization", authorization)) {
            refused.awaitClose();
        } catch (WsRecorder.HandshakeRefused expected) {
            assertThat(expected.status).isEqualTo(401);
        }
    }

    /**
     * Waits (generously) for a refusal row of {@code code} at or after {@code since}; how long after
     * {@code since} it was there, in ms.
     */
    private static long waitForRefusalSince(Page page, RefusalCode code, Instant since) {
        page.waitForFunction(
                "([code, since]) => [...document.querySelectorAll('#refusals tr[data-testid=refusal]')]"
                        + ".some((tr) => tr.dataset.code === code && Date.parse(tr.dataset.time) >= since)",
                List.of(code.name(), (double) (since.toEpochMilli() - 50)),
                new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(20));
        return Duration.between(since, Instant.now()).toMillis();
    }
}
