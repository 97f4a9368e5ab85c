package io.gatehouse.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.DemoProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's "done when": {@code gatehouse demo} in its own JVM, as an operator starts it, shows a
 * moving dashboard soon after its {@code listening on} line (the issue asks for 10 s: this test
 * measures it). Chromium opens the printed URL, logs
 * in with the printed admin password, and waits until the page shows the demo's traffic: a demo
 * client connected beside the page's own socket, an upgrade refused on purpose stacked in the
 * upgrades chart with its code, deliveries of the {@code news} publisher, and the charts redrawn by
 * the live pushes. The time includes opening the page and logging in. How long that took after
 * "listening" is printed and written to {@code target/demo-dashboard-moving-ms.txt} (reported in
 * docs/benchmarks.md); screenshots go to {@code target/demo-dashboard.png} and {@code
 * target/demo-dashboard-full.png} (the whole page).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoDashboardBrowserTest {
    /**
     * How long the test waits for the page to move: generous, as a test's bound must be on a busy
     * machine. The 10 s is a speed target, measured here and reported in
     * docs/benchmarks.md, not asserted (speed targets are benchmarks, not timed tests).
     */
    private static final double WAIT_MS = 60_000;

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @TempDir
    Path dir;

    @Test
    void theDemosDashboardMovesWithinTenSecondsOfListening() throws Exception {
        try (BrowserContext context = chromium.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
            // The operator's browser is running already: its first tab is not the dashboard's time.
            context.newPage().navigate("about:blank");
            try (DemoProcess demo = DemoProcess.start(dir.resolve("data"), dir.resolve("demo.err"))) {
                watch(demo, context);
            }
        }
    }

    private static void watch(DemoProcess demo, BrowserContext context) throws Exception {
        String password = demo.adminPassword().orElseThrow();
        DashboardPage dashboard = DashboardPage.open(context, demo.url()).logInAsAdmin("admin", password);
        Duration loggedIn = Duration.between(demo.listeningReadAt(), Instant.now());
        Page page = dashboard.page();
        int drawnAtLogin = samplesOf(page);

        page.waitForFunction(
                "([drawn, refused]) => {"
                        + " const chart = (id) => document.getElementById(id)?.dataset ?? {};"
                        + " return Number(document.getElementById('fig-connections').dataset.value) >= 2"
                        + " && Number(chart('chart-deliveries').last) > 0"
                        + " && Number(chart('chart-connections').samples) > drawn"
                        + " && [...document.querySelectorAll('#legend-upgrades > li[data-code]')]"
                        + "      .some((li) => refused.includes(li.dataset.code)); }",
                List.of(drawnAtLogin, List.of(RefusalCode.TOKEN_INVALID.name(), RefusalCode.TOKEN_EXPIRED.name())),
                new Page.WaitForFunctionOptions().setTimeout(WAIT_MS).setPollingInterval(50));
        Duration moving = Duration.between(demo.listeningReadAt(), Instant.now());
        System.out.println("demo dashboard: moving " + moving.toMillis() + " ms after the 'listening' line"
                + " (page opened and logged in after " + loggedIn.toMillis() + " ms, " + drawnAtLogin
                + " samples drawn then)");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "demo-dashboard-moving-ms.txt"), moving.toMillis() + "\n");
        dashboard.screenshot("demo-dashboard");
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(Path.of("target", "demo-dashboard-full.png"))
                .setFullPage(true));

        page.close(); // the dashboard's socket goes before the demo stops
        demo.stop();
    }

    private static int samplesOf(Page page) {
        String drawn = page.getAttribute("#chart-connections", "data-samples");
        return drawn == null ? 0 : Integer.parseInt(drawn);
    }
}
