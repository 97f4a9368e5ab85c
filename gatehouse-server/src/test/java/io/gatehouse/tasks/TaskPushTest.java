package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tasks end to end with real sockets: pushes to the owner, the catch-up after connect, cancel. */
class TaskPushTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("tasks.push_interval", "200ms");

    private static final AtomicInteger USERS = new AtomicInteger();

    private final TaskWorker worker = new TaskWorker(server);

    /** A user id no other test uses, so that no other task shows up in its catch-up. */
    private static String newUser() {
        return "user" + USERS.incrementAndGet();
    }

    /** task_progress messages of task {@code id} until one with done == last; returns their done values. */
    private static List<Long> progressUntil(WsRecorder ws, String id, long last) {
        List<Long> seen = new ArrayList<>();
        while (seen.isEmpty() || seen.get(seen.size() - 1) != last) {
            JsonNode m = ws.awaitType("task_progress");
            if (m.path("task").path("id").asText().equals(id)) {
                seen.add(m.path("task").path("done").asLong());
            }
        }
        return seen;
    }

    @Test
    void progressReachesEveryConnectionOfTheOwnerCoalescedAndNoOtherUser() {
        String alice = newUser();
        try (WsRecorder first = server.connectAs(alice);
                WsRecorder second = server.connectAs(alice);
                WsRecorder bob = server.connectAs(newUser())) {
            int n = 100;
            JsonNode task = worker.create(alice, n);
            String id = task.path("id").asText();
            assertThat(id).matches("tsk_[A-Za-z0-9_-]{22}");
            assertThat(task.path("status").asText()).isEqualTo("running");
            for (int i = 1; i <= n; i++) {
                JsonNode answer = worker.progress(id, i);
                assertThat(answer.path("done").asLong()).isEqualTo(i);
                assertThat(answer.path("cancel_requested").asBoolean()).isFalse();
            }
            for (WsRecorder ws : List.of(first, second)) {
                List<Long> dones = progressUntil(ws, id, n);
                assertThat(dones).isSorted().startsWith(0L);
                // 100 updates arrive as far fewer pushes, 200 ms apart at most one each, the last included
                assertThat(dones.size()).isLessThan(n / 2);
            }
            bob.assertQuiet(Duration.ofMillis(500));
            first.assertQuiet(Duration.ofMillis(400)); // nothing after the last
        }
    }

    @Test
    void aConnectionOpenedMidTaskGetsTheCurrentStateFirst() {
        String alice = newUser();
        String id = worker.create(alice, 100).path("id").asText();
        String finished = worker.create(alice, 1).path("id").asText();
        worker.finish(finished, "complete", "{}");
        worker.progress(id, 41);
        worker.progress(id, 42); // held back for the database: the catch-up must still show it
        try (WsRecorder page = server.connectAs(alice)) {
            JsonNode first = page.awaitMessage();
            assertThat(first.path("type").asText()).isEqualTo("task_progress");
            assertThat(first.path("task").path("id").asText()).isEqualTo(id);
            assertThat(first.path("task").path("done").asLong()).isEqualTo(42);
            assertThat(first.path("task").path("total").asLong()).isEqualTo(100);
            // Only unfinished tasks: nothing about the finished one follows (the held-back 42 may, once more).
            for (JsonNode m = page.pollMessage(Duration.ofMillis(400));
                    m != null;
                    m = page.pollMessage(Duration.ofMillis(400))) {
                assertThat(m.path("task").path("id").asText()).isEqualTo(id);
                assertThat(m.path("task").path("done").asLong()).isEqualTo(42);
            }
        }
    }

    @Test
    void progressIsWrittenBehindWithinThePushInterval() throws InterruptedException {
        String alice = newUser();
        String id = worker.create(alice, 10).path("id").asText();
        worker.progress(id, 7);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.gatehouse().tasks().store().find(id).orElseThrow().done() != 7) {
            assertThat(System.nanoTime()).as("progress written within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void cancelTaskFromTheOwnersPageReachesTheWorkerInItsNextProgressAnswer() {
        String alice = newUser();
        try (WsRecorder page = server.connectAs(alice);
                WsRecorder other = server.connectAs(alice)) {
            String id = worker.create(alice, 10).path("id").asText();
            worker.progress(id, 3);
            page.send("{\"type\":\"cancel_task\",\"id\":7,\"task_id\":\"" + id + "\"}");
            JsonNode reply = awaitReply(page, 7);
            assertThat(reply.path("type").asText()).isEqualTo("task_progress");
            assertThat(reply.path("task").path("status").asText()).isEqualTo("cancel_requested");
            assertThat(statusPushed(other, id, "cancel_requested")).isTrue();

            JsonNode answer = worker.progress(id, 4);
            assertThat(answer.path("cancel_requested").asBoolean()).isTrue();
            assertThat(answer.path("status").asText()).isEqualTo("cancel_requested");
            JsonNode cancelled = worker.finish(id, "cancelled", "");
            assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
            assertThat(cancelled.path("finished_at").asText()).isNotEmpty();
            assertThat(statusPushed(other, id, "cancelled")).isTrue();
        }
    }

    @Test
    void anotherUsersTaskAnswersExactlyLikeAMissingOne() {
        String alice = newUser();
        String id = worker.create(alice, 10).path("id").asText();
        String missing = "tsk_" + "A".repeat(22);
        try (WsRecorder mallory = server.connectAs(newUser())) {
            mallory.send("{\"type\":\"cancel_task\",\"id\":1,\"task_id\":\"" + id + "\"}");
            JsonNode theirs = awaitReply(mallory, 1);
            mallory.send("{\"type\":\"cancel_task\",\"id\":2,\"task_id\":\"" + missing + "\"}");
            JsonNode none = awaitReply(mallory, 2);
            assertThat(theirs.path("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(theirs.path("message").asText().replace(id, "X"))
                    .isEqualTo(none.path("message").asText().replace(missing, "X"));
        }
        String mallory = "Bearer " + Jwts.hs256For(newUser());
        for (String path : List.of("/api/v1/tasks/%s/cancel", "/api/v1/tasks/%s")) {
            boolean post = path.endsWith("cancel");
            TestGatehouse.Reply theirs = post
                    ? server.post(String.format(path, id), "", "Authorization", mallory)
                    : server.get(String.format(path, id), "Authorization", mallory);
            TestGatehouse.Reply none = post
                    ? server.post(String.format(path, missing), "", "Authorization", mallory)
                    : server.get(String.format(path, missing), "Authorization", mallory);
            assertThat(theirs.status()).isEqualTo(404).isEqualTo(none.status());
            assertThat(theirs.body().toString().replace(id, "X"))
                    .isEqualTo(none.body().toString().replace(missing, "X"));
            assertThat(theirs.body().path("code").asText()).isEqualTo("NOT_FOUND");
        }
        assertThat(worker.get("/api/v1/tasks/" + id).body().path("status").asText())
                .isEqualTo("running");
    }

    @Test
    void theOwnerCancelsOverHttpWithATokenOrACookieAndCsrfAndAnAdminMayToo() {
        String alice = newUser();
        String byToken = worker.create(alice, 10).path("id").asText();
        TestGatehouse.Reply r = server.post(
                "/api/v1/tasks/" + byToken + "/cancel", "", "Authorization", "Bearer " + Jwts.hs256For(alice));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("cancel_requested");
        assertThat(worker.progress(byToken, 1).path("cancel_requested").asBoolean())
                .isTrue();

        server.user("carol", "carol-password-1", false);
        BrowserSession carol = BrowserSession.login(server, "carol", "carol-password-1");
        String byCookie = worker.create("local:carol", 10).path("id").asText();
        String origin = BrowserSession.ownOrigin(server);
        TestGatehouse.Reply withoutCsrf = server.post(
                "/api/v1/tasks/" + byCookie + "/cancel", "", "Cookie", carol.cookieHeader(), "Origin", origin);
        assertThat(withoutCsrf.status()).isEqualTo(403);
        TestGatehouse.Reply withCsrf = server.post(
                "/api/v1/tasks/" + byCookie + "/cancel",
                "",
                "Cookie",
                carol.cookieHeader(),
                "X-CSRF-Token",
                carol.csrf(),
                "Origin",
                origin);
        assertThat(withCsrf.status()).isEqualTo(200);
        assertThat(withCsrf.body().path("status").asText()).isEqualTo("cancel_requested");

        String byAdminPage = worker.create(alice, 10).path("id").asText();
        try (WsRecorder adminPage = server.connectWith(Jwts.hs256For("root", List.of("admin"), List.of()))) {
            adminPage.send("{\"type\":\"cancel_task\",\"id\":3,\"task_id\":\"" + byAdminPage + "\"}");
            JsonNode reply = awaitReply(adminPage, 3);
            assertThat(reply.path("type").asText()).isEqualTo("task_progress");
            assertThat(reply.path("task").path("status").asText()).isEqualTo("cancel_requested");
        }

        String byAdmin = worker.create(alice, 10).path("id").asText();
        String admin = "Bearer " + Jwts.hs256For("root", List.of("admin"), List.of());
        TestGatehouse.Reply adminCancel =
                server.post("/api/v1/tasks/" + byAdmin + "/cancel", "", "Authorization", admin);
        assertThat(adminCancel.status()).isEqualTo(200);
        assertThat(adminCancel.body().path("status").asText()).isEqualTo("cancel_requested");
    }

    /** Skips messages until the reply with {@code id}. */
    private static JsonNode awaitReply(WsRecorder ws, int id) {
        while (true) {
            JsonNode m = ws.awaitMessage();
            if (m.path("id").asInt(-1) == id) {
                return m;
            }
        }
    }

    /** Whether a task_progress of task id with status arrives (skipping others). */
    private static boolean statusPushed(WsRecorder ws, String id, String status) {
        while (true) {
            JsonNode m = ws.awaitType("task_progress");
            if (m.path("task").path("id").asText().equals(id)
                    && m.path("task").path("status").asText().equals(status)) {
                return true;
            }
        }
    }
}
