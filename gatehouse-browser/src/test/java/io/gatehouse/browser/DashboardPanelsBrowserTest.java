package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, in Chromium: the dashboard's channels and tasks tables show what the server's API
 * answers. A channel where clients publish and are present has its subscriber count, presence and
 * last offset in its row, and the row follows when a client leaves; a task a worker created for a
 * user is listed with its status and progress, and follows the user's cancel and the worker's
 * confirmation; the admin's Cancel on a running task's row requests its cancel, in the admin's name
 * in the access log, and the button goes once the task is no longer running. The
 * dead-letter table and a stale CSRF token have classes of their own, with servers configured for them.
 */
class DashboardPanelsBrowserTest {
    private static final String ADMIN = "root";
    private static final String ADMIN_PASSWORD = "root-password-1";
    /** A namespace that keeps presence and lets clients publish. */
    private static final String CHANNEL = "lobby:hall";

    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("channels.namespaces.lobby", Map.of("presence", true, "publish", "authenticated"));

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static String adminKey;
    private static String workerKey;

    @BeforeAll
    static void usersAndKeys() {
        server.user(ADMIN, ADMIN_PASSWORD, true);
        adminKey = "apikey " + server.apiKey("admin");
        workerKey = "apikey " + server.apiKey("publish");
    }

    @Test
    void aChannelRowShowsTheSubscribersPresenceAndLastOffsetTheApiAnswersAndFollowsALeave() {
        try (BrowserContext context = chromium.newContext();
                WsRecorder ann = server.connectAs("ann");
                WsRecorder ben = server.connectAs("ben")) {
            ann.subscribe(CHANNEL);
            ben.subscribe(CHANNEL);
            publish(ann, "{\"n\": 1}");
            long offset = publish(ann, "{\"n\": 2}").path("offset").asLong();

            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            String row = DashboardPage.channelRow(CHANNEL);
            dashboard.page().waitForSelector(row);
            JsonNode listed = channelFromApi(CHANNEL);
            assertThat(listed.path("subscribers").asInt()).isEqualTo(2);
            assertThat(listed.path("presence").asInt()).isEqualTo(2);
            assertThat(listed.path("offset").asLong()).isEqualTo(offset);
            assertRowShows(dashboard, row, listed);

            // Ben leaves and Ann publishes once more: the row follows.
            ben.close();
            long third = publish(ann, "{\"n\": 3}").path("offset").asLong();
            Awaitility.await("the API lists one subscriber")
                    .atMost(ClientPage.WAIT)
                    .until(() -> channelFromApi(CHANNEL).path("subscribers").asInt() == 1);
            JsonNode after = channelFromApi(CHANNEL);
            assertThat(after.path("presence").asInt()).isEqualTo(1);
            assertThat(after.path("offset").asLong()).isEqualTo(third);
            assertRowShows(dashboard, row, after);
        }
    }

    @Test
    void aTaskOfAUserIsListedWithItsStatusAndProgressAndFollowsTheUsersCancel() {
        JsonNode created = worker(
                201,
                "/api/v1/tasks",
                "{\"owner\": \"carol\", \"kind\": \"import\", \"title\": \"Import contacts\", \"total\": 10}");
        String id = created.path("id").asText();
        String tasks = "/api/v1/tasks/" + id;
        worker(200, tasks + "/progress", "{\"done\": 4, \"message\": \"4 of 10 rows\"}");

        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            String row = DashboardPage.taskRow(id);
            page.waitForSelector(row);
            dashboard.awaitCell(row, "progress", "4 / 10 (40 %)");
            JsonNode running = taskFromApi(id);
            assertThat(running.path("status").asText()).isEqualTo("running");
            assertThat(running.path("done").asLong()).isEqualTo(4);
            assertThat(page.textContent(row + " td[data-col=title] strong")).isEqualTo("Import contacts");
            assertThat(page.textContent(row + " td[data-col=title] small")).isEqualTo("import");
            assertThat(dashboard.cell(row, "owner")).isEqualTo("carol");
            assertThat(page.getAttribute(row + " .status-badge", "data-status")).isEqualTo("running");
            assertThat(dashboard.cell(row, "message"))
                    .isEqualTo(running.path("message").asText());

            // Carol cancels, as a user does (her own credential); the row follows.
            TestGatehouse.Reply cancel =
                    server.post(tasks + "/cancel", "{}", "Authorization", "Bearer " + Jwts.hs256For("carol"));
            assertThat(cancel.status()).isEqualTo(200);
            assertThat(cancel.body().path("status").asText()).isEqualTo("cancel_requested");
            page.waitForSelector(row + " .status-badge[data-status=cancel_requested]");

            // The worker learns of it with its next progress and confirms.
            assertThat(worker(200, tasks + "/progress", "{\"done\": 5}")
                            .path("cancel_requested")
                            .asBoolean())
                    .isTrue();
            worker(200, tasks + "/cancelled", "{\"message\": \"stopped at 5\"}");
            page.waitForSelector(row + " .status-badge[data-status=cancelled]");
            JsonNode cancelled = taskFromApi(id);
            assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
            dashboard.awaitCell(row, "progress", "5 / 10 (50 %)");
            dashboard.awaitCell(row, "message", cancelled.path("message").asText());
            assertThat(dashboard.cell(row, "message")).isEqualTo("stopped at 5");
        }
    }

    @Test
    void cancelOnATasksRowRequestsItsCancelInTheAdminsNameAndIsGoneOnceItIsNotRunning() {
        String id = worker(
                        201,
                        "/api/v1/tasks",
                        "{\"owner\": \"dave\", \"kind\": \"export\", \"title\": \"Export\", \"total\": 3}")
                .path("id")
                .asText();
        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            String row = DashboardPage.taskRow(id);
            String cancel = row + " button[data-testid=cancel-task]";
            page.waitForSelector(cancel); // visible: the task is running
            page.click(cancel);

            page.waitForSelector("#action-result[data-outcome=ok]");
            assertThat(page.textContent("#action-result"))
                    .contains(id)
                    .contains("dave")
                    .contains("cancel_requested");
            assertThat(taskFromApi(id).path("status").asText()).isEqualTo("cancel_requested");
            page.waitForSelector(row + " .status-badge[data-status=cancel_requested]");
            page.waitForSelector(cancel, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.HIDDEN));

            // The access log names the admin who did it.
            Awaitility.await("the access-log row of the cancel")
                    .atMost(ClientPage.WAIT)
                    .until(() -> cancelRowOf(id) != null);
            JsonNode logged = cancelRowOf(id);
            assertThat(logged.path("user_id").asText()).isEqualTo("local:" + ADMIN);
            assertThat(logged.path("method").asText()).isEqualTo("cookie");
        }
    }

    /** Waits until the channel row shows {@code listed}'s figures (the table refreshes every 5 s). */
    private static void assertRowShows(DashboardPage dashboard, String row, JsonNode listed) {
        dashboard.awaitCell(row, "subscribers", listed.path("subscribers").asText());
        dashboard.awaitCell(row, "presence", listed.path("presence").asText());
        dashboard.awaitCell(row, "offset", listed.path("offset").asText());
        assertThat(dashboard.cell(row, "epoch")).isEqualTo(listed.path("epoch").asText());
        assertThat(dashboard.cell(row, "channel")).isEqualTo(CHANNEL);
    }

    /** A client's {@code publish}; returns its {@code published} reply (its own message may come first). */
    private static JsonNode publish(WsRecorder client, String dataJson) {
        client.send("{\"type\": \"publish\", \"channel\": \"" + CHANNEL + "\", \"data\": " + dataJson + "}");
        JsonNode published = client.awaitType("published");
        assertThat(published.path("channel").asText()).isEqualTo(CHANNEL);
        return published;
    }

    private static JsonNode channelFromApi(String name) {
        TestGatehouse.Reply r = server.get("/api/v1/channels", "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("channels").spliterator(), false)
                .filter(c -> c.path("channel").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + r.body()));
    }

    /** The access-log row of an admin's {@code task.cancel} of {@code taskId}, or null. */
    private static JsonNode cancelRowOf(String taskId) {
        TestGatehouse.Reply r = server.get("/api/v1/access-log?limit=1000", "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("entries").spliterator(), false)
                .filter(e -> "task.cancel".equals(e.path("action").asText())
                        && taskId.equals(e.path("target").asText()))
                .findFirst()
                .orElse(null);
    }

    private static JsonNode taskFromApi(String id) {
        TestGatehouse.Reply r = server.get("/api/v1/tasks/" + id, "Authorization", workerKey);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    /** A worker's call (the server API, a publish key); fails unless it answers {@code status}. */
    private static JsonNode worker(int status, String path, String body) {
        TestGatehouse.Reply r = server.post(path, body, "Authorization", workerKey);
        assertThat(r.status()).as(path + " answered " + r.body()).isEqualTo(status);
        return r.body();
    }
}
