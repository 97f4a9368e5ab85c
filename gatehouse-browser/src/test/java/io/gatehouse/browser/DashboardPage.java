package io.gatehouse.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The dashboard ({@code GET /}) in a tab, driven by its stable ids (listed at the top of
 * web/dashboard/dashboard.js): log in, wait for the live socket and for figures, read them. What the
 * page says on its console goes to the test's output (target/surefire-reports/*-output.txt).
 */
final class DashboardPage {
    private final Page page;

    private DashboardPage(Page page) {
        this.page = page;
    }

    /** A new tab of {@code context} at the dashboard of {@code serverUrl}, showing its login form. */
    static DashboardPage open(BrowserContext context, String serverUrl) {
        Page page = context.newPage();
        page.onConsoleMessage(m -> System.out.println("[dashboard] " + m.type() + ": " + m.text()));
        page.onPageError(e -> System.out.println("[dashboard] error: " + e));
        page.navigate(serverUrl + "/");
        page.waitForSelector("#view-login:not([hidden])");
        return new DashboardPage(page);
    }

    /** Fills and sends the login form. */
    DashboardPage logIn(String user, String password) {
        page.fill("#login-user", user);
        page.fill("#login-password", password);
        page.click("#login");
        return this;
    }

    /** Logs in as an admin and waits for the live socket and the first sample of figures. */
    DashboardPage logInAsAdmin(String user, String password) {
        logIn(user, password);
        page.waitForSelector("#view-dashboard:not([hidden])");
        page.waitForSelector("#live-state[data-state=connected]");
        page.waitForSelector("#fig-connections[data-value]");
        return this;
    }

    /** The raw number behind a figure ({@code data-value} of {@code #id}). */
    double figure(String id) {
        return Double.parseDouble(Objects.requireNonNull(page.getAttribute("#" + id, "data-value"), id));
    }

    /** Waits until {@code #id[data-value]} is {@code value}. */
    void awaitFigure(String id, long value) {
        page.waitForFunction(
                "([id, v]) => Number(document.getElementById(id)?.dataset.value) === v", List.of(id, (double) value));
    }

    /** Waits until the chart {@code #id} drew its newest point at {@code value}. */
    void awaitChartLast(String id, long value) {
        page.waitForFunction(
                "([id, v]) => Number(document.getElementById(id)?.dataset.last) === v", List.of(id, (double) value));
    }

    /** The selector of the connections table's row of {@code userId}. */
    static String connectionRow(String userId) {
        return "#connections tr[data-testid=connection][data-user=\"" + userId + "\"]";
    }

    /** The selector of the channels table's row of {@code channel}. */
    static String channelRow(String channel) {
        return "#channels tr[data-testid=channel][data-channel=\"" + channel + "\"]";
    }

    /** The selector of the tasks table's row of the task {@code id}. */
    static String taskRow(String id) {
        return "#tasks tr[data-testid=task][data-task-id=\"" + id + "\"]";
    }

    /** The selector of the webhooks table's row of the dead event {@code id}. */
    static String deadRow(String id) {
        return "#dead tr[data-testid=dead-event][data-event-id=\"" + id + "\"]";
    }

    /** The text of the cell {@code column} ({@code td[data-col]}) of the row {@code row}. */
    String cell(String row, String column) {
        return page.textContent(row + " td[data-col=" + column + "]");
    }

    /**
     * Waits until the cell {@code column} of the row {@code row} reads {@code text} (the tables
     * refresh every 5 or 10 s).
     */
    void awaitCell(String row, String column, String text) {
        page.waitForFunction(
                "([cell, text]) => document.querySelector(cell)?.textContent === text",
                List.of(row + " td[data-col=" + column + "]", text));
    }

    Page page() {
        return page;
    }

    /** A screenshot of the viewport under target/. */
    void screenshot(String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", name + ".png")));
    }
}
