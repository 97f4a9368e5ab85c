package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The task endpoints over HTTP: monotonic progress, idempotent finishing, limits, listings, who may call. */
class TaskApiTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static final AtomicInteger USERS = new AtomicInteger();

    private final TaskWorker worker = new TaskWorker(server);

    private static String newUser() {
        return "api-user" + USERS.incrementAndGet();
    }

    @Test
    void progressIsMonotonicAndFinishingTwiceChangesNothing() {
        String id = worker.create(newUser(), 20).path("id").asText();
        worker.post("/api/v1/tasks/" + id + "/progress", "{\"done\":10,\"message\":\"ten\"}");
        JsonNode late = worker.progress(id, 5);
        assertThat(late.path("done").asLong()).isEqualTo(10);
        assertThat(late.path("message").asText()).isEqualTo("ten");

        JsonNode completed = worker.finish(id, "complete", "{\"result\":{\"url\":\"/files/1\"}}");
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.path("done").asLong()).isEqualTo(20);
        assertThat(completed.path("result").path("url").asText()).isEqualTo("/files/1");
        assertThat(completed.path("finished_at").asText()).isNotEmpty();

        assertThat(worker.finish(id, "complete", "{\"result\":2}")).isEqualTo(completed);
        assertThat(worker.finish(id, "fail", "{\"message\":\"late\"}")).isEqualTo(completed);
        assertThat(worker.finish(id, "cancelled", "")).isEqualTo(completed);
        JsonNode after = worker.progress(id, 30);
        assertThat(after.path("done").asLong()).isEqualTo(20);
        assertThat(after.path("cancel_requested").asBoolean()).isFalse();

        JsonNode read = worker.get("/api/v1/tasks/" + id).body();
        assertThat(read.path("status").asText()).isEqualTo("completed");
        List<String> history = new ArrayList<>();
        read.path("history").forEach(h -> history.add(h.path("status").asText()));
        assertThat(history).containsExactly("running", "completed");
    }

    @Test
    void aFailureKeepsItsMessage() {
        String id = worker.create(newUser(), 3).path("id").asText();
        JsonNode failed = worker.finish(id, "fail", "{\"message\":\"disk full\"}");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("message").asText()).isEqualTo("disk full");
        assertThat(worker.get("/api/v1/tasks/" + id)
                        .body()
                        .path("history")
                        .get(1)
                        .path("message")
                        .asText())
                .isEqualTo("disk full");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"kind\":\"k\",\"title\":\"t\"}|owner is required",
                "{\"owner\":\"u\",\"title\":\"t\"}|kind is required",
                "{\"owner\":\"u\",\"kind\":\"k\"}|title is required",
                "{\"owner\":\"u\",\"kind\":\"k\",\"title\":\"t\",\"total\":-1}|total must be a whole number",
                "{\"owner\":\"u\",\"kind\":\"k\",\"title\":\"t\",\"total\":1.5}|total must be a whole number",
                "{\"owner\":\"u\\u0001\",\"kind\":\"k\",\"title\":\"t\"}|owner must not contain control characters",
                "{\"owner\":7,\"kind\":\"k\",\"title\":\"t\"}|The field owner must be a string",
                "[1]|The body must be a JSON object",
            })
    void aBadTaskIsRefusedWithAHint(String body, String hint) {
        TestGatehouse.Reply r = worker.post("/api/v1/tasks", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).startsWith(hint);
    }

    @Test
    void everyFieldHasALimitAndTheLimitItselfIsAccepted() {
        String owner = "o".repeat(255);
        String kind = "k".repeat(100);
        String title = "t".repeat(1024);
        String data = "\"" + "d".repeat(64 * 1024 - 2) + "\""; // 64 KiB of JSON exactly
        TestGatehouse.Reply atLimit = worker.post("/api/v1/tasks", create(owner, kind, title, data));
        assertThat(atLimit.status()).isEqualTo(201);
        assertThat(refusal(worker.post("/api/v1/tasks", create(owner + "o", kind, title, "1"))))
                .isEqualTo("owner is limited to 255 characters");
        assertThat(refusal(worker.post("/api/v1/tasks", create(owner, kind + "k", title, "1"))))
                .isEqualTo("kind is limited to 100 characters");
        assertThat(refusal(worker.post("/api/v1/tasks", create(owner, kind, title + "t", "1"))))
                .isEqualTo("title is limited to 1024 characters");
        assertThat(refusal(worker.post(
                        "/api/v1/tasks", create(owner, kind, title, "\"" + "d".repeat(64 * 1024 - 1) + "\""))))
                .isEqualTo("data is limited to 64 KiB of JSON");

        String id = atLimit.body().path("id").asText();
        String message = "m".repeat(4096);
        assertThat(worker.post("/api/v1/tasks/" + id + "/progress", "{\"done\":1,\"message\":\"" + message + "\"}")
                        .status())
                .isEqualTo(200);
        assertThat(refusal(worker.post(
                        "/api/v1/tasks/" + id + "/progress", "{\"done\":1,\"message\":\"" + message + "m\"}")))
                .isEqualTo("message is limited to 4096 characters");
        assertThat(refusal(worker.post("/api/v1/tasks/" + id + "/progress", "{\"message\":\"x\"}")))
                .startsWith("The body needs done");
        assertThat(refusal(worker.post("/api/v1/tasks/" + id + "/progress", "{\"done\":-2}")))
                .startsWith("done must be a whole number");
        assertThat(refusal(worker.post("/api/v1/tasks/" + id + "/fail", "{}"))).startsWith("message is required");
        assertThat(refusal(worker.post(
                        "/api/v1/tasks/" + id + "/complete", "{\"result\":\"" + "r".repeat(64 * 1024 - 1) + "\"}")))
                .isEqualTo("result is limited to 64 KiB of JSON");
        assertThat(worker.post(
                                "/api/v1/tasks/" + id + "/complete",
                                "{\"result\":\"" + "r".repeat(64 * 1024 - 2) + "\"}")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void listingsFilterAndPageWithACursorAndUsersSeeOnlyTheirOwn() {
        String alice = newUser();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(0, worker.create(alice, 10).path("id").asText()); // newest first
        }
        worker.finish(ids.get(0), "complete", "{}");
        String bobs = worker.create(newUser(), 1).path("id").asText();

        JsonNode page1 = worker.get("/api/v1/tasks?owner=" + alice + "&limit=3").body();
        JsonNode page2 = worker.get("/api/v1/tasks?owner=" + alice + "&limit=3&cursor="
                        + page1.path("next_cursor").asText())
                .body();
        List<String> listed = new ArrayList<>();
        page1.path("tasks").forEach(t -> listed.add(t.path("id").asText()));
        page2.path("tasks").forEach(t -> listed.add(t.path("id").asText()));
        assertThat(listed).isEqualTo(ids);
        assertThat(page2.path("next_cursor").isNull()).isTrue();
        assertThat(worker.get("/api/v1/tasks?owner=" + alice + "&status=completed")
                        .body()
                        .path("tasks"))
                .hasSize(1);
        assertThat(worker.get("/api/v1/tasks?owner=" + alice + "&kind=other")
                        .body()
                        .path("tasks"))
                .isEmpty();

        String asAlice = "Bearer " + Jwts.hs256For(alice);
        JsonNode own = server.get("/api/v1/tasks?owner=somebody-else", "Authorization", asAlice)
                .body();
        assertThat(own.path("tasks")).hasSize(5);
        own.path("tasks").forEach(t -> assertThat(t.path("owner").asText()).isEqualTo(alice));
        assertThat(server.get("/api/v1/tasks/" + ids.get(1), "Authorization", asAlice)
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/tasks/" + bobs, "Authorization", asAlice).status())
                .isEqualTo(404);

        assertThat(refusal(worker.get("/api/v1/tasks?status=paused"))).startsWith("status must be");
        assertThat(refusal(worker.get("/api/v1/tasks?limit=0"))).startsWith("limit must be");
        assertThat(refusal(worker.get("/api/v1/tasks?cursor=nonsense"))).startsWith("cursor must be");
    }

    @Test
    void workersNeedAPublishKeyAndUsersACredential() {
        assertThat(server.post("/api/v1/tasks", "{}").status()).isEqualTo(401);
        assertThat(server.get("/api/v1/tasks").status()).isEqualTo(401);
        String id = worker.create(newUser(), 1).path("id").asText();
        assertThat(server.post("/api/v1/tasks/" + id + "/progress", "{\"done\":1}", "Authorization", "apikey nope")
                        .status())
                .isEqualTo(401);
        // a user may not report progress, and a worker key is no user credential for cancel
        assertThat(server.post(
                                "/api/v1/tasks/" + id + "/progress",
                                "{\"done\":1}",
                                "Authorization",
                                "Bearer " + Jwts.hs256For("x"))
                        .status())
                .isEqualTo(401);
        assertThat(worker.post("/api/v1/tasks/" + id + "/cancel", "").status()).isEqualTo(401);
        assertThat(worker.post("/api/v1/tasks/tsk_missing/progress", "{\"done\":1}")
                        .status())
                .isEqualTo(404);
    }

    private static String create(String owner, String kind, String title, String data) {
        return "{\"owner\":\"" + owner + "\",\"kind\":\"" + kind + "\",\"title\":\"" + title + "\",\"data\":" + data
                + "}";
    }

    private static String refusal(TestGatehouse.Reply r) {
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        return r.body().path("hint").asText();
    }
}
