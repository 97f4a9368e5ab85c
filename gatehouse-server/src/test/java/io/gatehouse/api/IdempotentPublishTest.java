package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST publish and broadcast with an idempotency_key (docs/integrations.md), on one node. */
class IdempotentPublishTest {
    static TestGatehouse server;
    static String key;

    @BeforeAll
    static void start() {
        server = new TestGatehouse()
                .with("channels.namespaces.jobs.history_size", 100)
                .with(ConfigKey.PUBLISH_IDEMPOTENCY_WINDOW.key(), "2s")
                .start();
        key = "apikey " + server.apiKey("publish");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static TestGatehouse.Reply post(String path, String body) {
        return server.post(path, body, "Authorization", key);
    }

    @Test
    void aRetriedPublishWithTheSameKeyIsDeliveredOnceAndAnsweredWithTheFirstOffset() throws Exception {
        try (WsRecorder ws = server.connectAs("watcher")) {
            ws.subscribe("jobs:report");
            String body =
                    "{\"channel\":\"jobs:report\",\"data\":{\"done\":true},\"idempotency_key\":\"celery-task-42\"}";
            TestGatehouse.Reply first = post("/api/v1/publish", body);
            TestGatehouse.Reply retry = post("/api/v1/publish", body);
            assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            TestGatehouse.Reply other = post(
                    "/api/v1/publish",
                    "{\"channel\":\"jobs:report\",\"data\":{\"done\":2},\"idempotency_key\":\"celery-task-43\"}");
            assertThat(other.body().path("offset").asLong())
                    .isEqualTo(first.body().path("offset").asLong() + 1);
            assertThat(ws.awaitType("message").path("data").path("done").asBoolean())
                    .isTrue();
            assertThat(ws.awaitType("message").path("data").path("done").asInt())
                    .isEqualTo(2);
            ws.assertAlive("the watcher, with no third message");

            Thread.sleep(2_200); // past publish.idempotency_window: the key is forgotten
            TestGatehouse.Reply late = post("/api/v1/publish", body);
            assertThat(late.body().path("offset").asLong())
                    .isEqualTo(first.body().path("offset").asLong() + 2);
        }
    }

    @Test
    void concurrentRepeatsWaitForTheFirstAndPublishNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (WsRecorder ws = server.connectAs("watcher")) {
            ws.subscribe("jobs:burst");
            String body = "{\"channel\":\"jobs:burst\",\"data\":1,\"idempotency_key\":\"burst-1\"}";
            List<Future<TestGatehouse.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                replies.add(pool.submit(() -> post("/api/v1/publish", body)));
            }
            Set<String> answers = new HashSet<>();
            for (Future<TestGatehouse.Reply> r : replies) {
                TestGatehouse.Reply reply = r.get();
                assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(200);
                answers.add(reply.body().toString());
            }
            assertThat(answers).hasSize(1);
            ws.awaitType("message");
            assertThat(ws.pollMessage(Duration.ofMillis(300))).isNull();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRetriedBroadcastPublishesToEachChannelOnce() {
        try (WsRecorder ws = server.connectAs("watcher")) {
            ws.subscribe("jobs:a");
            ws.subscribe("jobs:b");
            String body = "{\"channels\":[\"jobs:a\",\"jobs:b\"],\"data\":{\"x\":1},\"idempotency_key\":\"nightly\"}";
            TestGatehouse.Reply first = post("/api/v1/broadcast", body);
            TestGatehouse.Reply retry = post("/api/v1/broadcast", body);
            assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            JsonNode a = ws.awaitType("message");
            JsonNode b = ws.awaitType("message");
            assertThat(List.of(a.path("channel").asText(), b.path("channel").asText()))
                    .containsExactlyInAnyOrder("jobs:a", "jobs:b");
            ws.assertAlive("the watcher, with one message per channel");
        }
    }

    @Test
    void aKeyThatIsNoVisibleAsciiOrTooLongIsABadRequest() {
        for (String bad : List.of("\"\"", "\"with space\"", "\"" + "k".repeat(256) + "\"", "42")) {
            TestGatehouse.Reply r =
                    post("/api/v1/publish", "{\"channel\":\"jobs:x\",\"data\":1,\"idempotency_key\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        }
    }
}
