package io.gatehouse.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's headless Chromium, driven by Playwright, for one test class
 * ({@code @RegisterExtension static final Chromium chromium = new Chromium()}). Never a downloaded
 * browser: a missing {@code /usr/bin/chromium} fails the tests with the command that installs it,
 * since CI installs it and a skipped browser test would hide a broken client.
 *
 * <p>Host names under {@link #TEST_DOMAIN} and {@link #OTHER_SITE} resolve to 127.0.0.1, so a test
 * can put an app and the gateway on different sites or on one site without DNS.
 */
public final class Chromium implements BeforeAllCallback, AfterAllCallback {
    /** {@code app.gatehouse.test}, {@code ws.gatehouse.test}: one site, different origins. */
    public static final String TEST_DOMAIN = "gatehouse.test";
    /** {@code app.other-site.test}: another site. */
    public static final String OTHER_SITE = "other-site.test";

    private Playwright playwright;
    private Browser browser;

    static Path executable() {
        Path path = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
        if (!Files.isExecutable(path)) {
            throw new AssertionError(path + " is missing: the browser tests need Debian's Chromium"
                    + " (apt-get install -y chromium); .ci/run installs it");
        }
        return path;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Path executable = executable();
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(executable)
                        .setHeadless(true)
                        .setArgs(List.of(
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--host-resolver-rules=MAP *." + TEST_DOMAIN + " 127.0.0.1, MAP *." + OTHER_SITE
                                        + " 127.0.0.1")));
    }

    /** A fresh profile: its own cookies and storage, like another browser. */
    public BrowserContext newContext() {
        return browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
    }

    /** A fresh profile with these options (a phone's viewport, say). */
    public BrowserContext newContext(Browser.NewContextOptions options) {
        return browser.newContext(options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }
}
