package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's worked example end to end: {@code examples/task-progress/worker.py} (Python, standard
 * library) reports a task's progress through the server API, and a page of the owner, in
 * Chromium, sees it through {@code gh.tasks}; Cancel on the page reaches the worker in the answer
 * to its next progress call, and it confirms.
 */
class TaskProgressExampleTest {
    static final Path WORKER = Path.of("..", "examples", "task-progress", "worker.py");

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private Process worker(String owner, int total) throws Exception {
        assertThat(WORKER).exists();
        ProcessBuilder pb = new ProcessBuilder(
                "python3",
                WORKER.toString(),
                "--owner",
                owner,
                "--total",
                Integer.toString(total),
                "--step-seconds",
                "0.05");
        pb.environment().put("GATEHOUSE_URL", server.url());
        pb.environment().put("GATEHOUSE_KEY", server.apiKey("publish"));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line != null) {
                System.out.println("[worker] " + line);
            }
        }
        throw new AssertionError("the worker did not print " + prefix);
    }

    private static ClientPage ownersPage(BrowserContext context, String owner) {
        ClientPage tab = ClientPage.open(context, server.url(), server.url());
        tab.connectWithToken("gh", Jwts.hs256For(owner));
        tab.awaitState("gh", "connected");
        tab.eval("() => { window.seen = []; window.gh.tasks.onProgress((t) => window.seen.push(t)); }");
        return tab;
    }

    @Test
    void theOwnersPageFollowsTheWorkersTaskToItsEnd() throws Exception {
        String owner = "example-owner-" + System.nanoTime();
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ownersPage(context, owner);
            Process p = worker(owner, 20);
            BlockingQueue<String> lines = ChildJvm.linesOf(p.getInputStream());
            awaitLine(lines, "completed");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            tab.until("window.seen.some((t) => t.status === 'completed')");
            List<?> done = (List<?>) tab.eval("() => window.seen.map((t) => t.done)");
            assertThat(done).isNotEmpty();
            long last = -1;
            for (Object d : done) {
                long n = ((Number) d).longValue();
                assertThat(n).as("progress never goes back").isGreaterThanOrEqualTo(last);
                last = n;
            }
            assertThat(last).isEqualTo(20);
        }
    }

    @Test
    void aTaskThatFinishedWhileThePageWasOfflineShowsItsEndAfterTheReconnect() {
        String owner = "offline-owner-" + System.nanoTime();
        String key = "apikey " + server.apiKey("publish");
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ownersPage(context, owner);
            TestGatehouse.Reply created = server.post(
                    "/api/v1/tasks",
                    "{\"owner\":\"" + owner + "\",\"kind\":\"import\",\"title\":\"Offline\",\"total\":10}",
                    "Authorization",
                    key);
            String id = created.body().path("id").asText();
            server.post("/api/v1/tasks/" + id + "/progress", "{\"done\":3}", "Authorization", key);
            tab.until("window.seen.some((t) => t.id === '" + id + "' && t.done === 3)");

            context.setOffline(true);
            tab.eval("() => window.sockets.at(-1).socket.close(4000, 'network gone')");
            tab.until("window.gh.state !== 'connected'");
            assertThat(server.post("/api/v1/tasks/" + id + "/complete", "{}", "Authorization", key)
                            .status())
                    .isEqualTo(200);
            context.setOffline(false);

            tab.awaitState("gh", "connected");
            tab.until("window.seen.some((t) => t.id === '" + id + "' && t.status === 'completed')");
        }
    }

    @Test
    void cancelOnThePageReachesTheWorkerWhichConfirms() throws Exception {
        String owner = "cancelling-owner-" + System.nanoTime();
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ownersPage(context, owner);
            Process p = worker(owner, 400);
            BlockingQueue<String> lines = ChildJvm.linesOf(p.getInputStream());
            String id = awaitLine(lines, "task ").substring("task ".length()).trim();
            tab.until("window.seen.some((t) => t.id === '" + id + "' && t.done >= 3)");
            Object status = tab.eval("async (id) => (await window.gh.tasks.cancel(id)).status", id);
            assertThat(status).isEqualTo("cancel_requested");
            awaitLine(lines, "cancelled at");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            tab.until("window.seen.some((t) => t.id === '" + id + "' && t.status === 'cancelled')");
            assertThat(Files.exists(WORKER)).isTrue();
        }
    }
}
