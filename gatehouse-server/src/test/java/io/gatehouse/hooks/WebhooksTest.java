package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end (SPEC §9, docs/webhooks.md): a real server on a free port sends to a real
 * receiver on 127.0.0.1 that checks every delivery the documented way.
 */
class WebhooksTest {
    static final String SECRET = "Zq8vN2xR7tLm4KpW9sYb3HcJ6fDg1QeA5uVo0iTn";
    static final Duration WAIT = Duration.ofSeconds(20);

    /** A server sending to {@code receiver}, retrying fast. */
    static TestGatehouse server(WebhookReceiver receiver) {
        return new TestGatehouse()
                .with("hooks.url", receiver.url())
                .with("hooks.secret", SECRET)
                .with("hooks.retry_base", "20ms")
                .with("hooks.retry_cap", "200ms")
                .with("hooks.timeout", "2s")
                .with("shutdown.drain", "100ms");
    }

    @Test
    void connectionEventsArriveSignedWithTheDocumentedBodies() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).start()) {
            WsRecorder ws = g.connectAs("alice");
            String connectionId = ws.established().path("connection_id").asText();
            ws.socket().sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

            await().atMost(WAIT)
                    .until(() -> receiver.ofType("connection.closed").size() == 1);
            ws.close();
            JsonNode opened = receiver.ofType("connection.opened").get(0);
            JsonNode closed = receiver.ofType("connection.closed").get(0);

            assertThat(receiver.rejected).hasValue(0);
            assertThat(receiver.problems).isEmpty();
            assertThat(opened.path("id").asText()).matches("evt_[0-9a-f]{32}");
            assertThat(opened.path("created_at").asText()).isNotEmpty();
            JsonNode o = opened.path("data");
            assertThat(o.path("connection_id").asText()).isEqualTo(connectionId);
            assertThat(o.path("user_id").asText()).isEqualTo("alice");
            assertThat(o.path("method").asText()).isNotEmpty();
            assertThat(o.path("client_ip").asText()).isEqualTo("127.0.0.1");
            assertThat(o.path("at").asText()).isNotEmpty();
            JsonNode c = closed.path("data");
            assertThat(c.path("connection_id").asText()).isEqualTo(connectionId);
            assertThat(c.path("user_id").asText()).isEqualTo("alice");
            assertThat(c.path("code").asInt()).isEqualTo(1000);
            assertThat(c.path("reason").isNull()).as("the client closed").isTrue();
            assertThat(c.path("duration_ms").asLong()).isNotNegative();
        }
    }

    @Test
    void aCancelFromThePageRaisesTaskCancelRequestedWithTheTask() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).start()) {
            String key = "apikey " + g.apiKey("publish");
            TestGatehouse.Reply created = g.post(
                    "/api/v1/tasks",
                    "{\"owner\":\"carol\",\"kind\":\"import\",\"title\":\"Numbers\",\"total\":10}",
                    "Authorization",
                    key);
            assertThat(created.status()).isEqualTo(201);
            String id = created.body().path("id").asText();
            WsRecorder ws = g.connectAs("carol");
            ws.sendJson("{\"type\":\"cancel_task\",\"task_id\":\"" + id + "\",\"id\":7}");
            await().atMost(WAIT)
                    .until(() -> receiver.ofType("task.cancel_requested").size() == 1);
            JsonNode data = receiver.ofType("task.cancel_requested").get(0).path("data");
            assertThat(data.path("id").asText()).isEqualTo(id);
            assertThat(data.path("owner").asText()).isEqualTo("carol");
            assertThat(data.path("status").asText()).isEqualTo("cancel_requested");
            assertThat(receiver.problems).isEmpty();
            // Asking again does not raise it twice.
            ws.sendJson("{\"type\":\"cancel_task\",\"task_id\":\"" + id + "\",\"id\":8}");
            JsonNode reply;
            do {
                reply = ws.awaitType("task_progress");
            } while (reply.path("id").asInt() != 8);
            assertThat(reply.path("task").path("status").asText()).isEqualTo("cancel_requested");
            assertThat(receiver.ofType("task.cancel_requested")).hasSize(1);
            ws.close();
        }
    }

    @Test
    void aReceiverWithAnotherSecretRejectsEveryDelivery() {
        try (WebhookReceiver receiver = new WebhookReceiver("another-secret-that-is-at-least-32-bytes");
                TestGatehouse g = server(receiver).start()) {
            g.connectAs("alice").close();

            await().atMost(WAIT).until(() -> receiver.rejected.get() >= 2);
            assertThat(receiver.events).isEmpty();
        }
    }

    @Test
    void aReceiverDownThenUpGetsEveryEventOnceAfterDeduplicationThroughARestart() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver)) {
            receiver.answer = 503;
            g.start();
            List<String> connections = new ArrayList<>();
            for (String user : List.of("alice", "bob", "carol")) {
                connections.add(openAndClose(g, user));
            }
            await().atMost(WAIT).until(() -> g.gatehouse().hooks().depth() == 6);
            await().atMost(WAIT).until(() -> receiver.refused.get() >= 6);
            receiver.stop(); // not listening at all now

            g.restart();
            for (String user : List.of("dave", "erin")) {
                connections.add(openAndClose(g, user));
            }
            await().atMost(WAIT).until(() -> g.gatehouse().hooks().depth() == 10);
            receiver.answer = 200;
            receiver.start();

            await().atMost(WAIT).until(() -> receiver.events.size() >= 10);
            await().atMost(WAIT).until(() -> g.gatehouse().hooks().depth() == 0);
            assertThat(receiver.events).hasSize(10);
            assertThat(receiver.rejected).hasValue(0);
            Map<String, List<String>> typesByConnection = receiver.events.values().stream()
                    .collect(Collectors.groupingBy(
                            e -> e.path("data").path("connection_id").asText(),
                            Collectors.mapping(e -> e.path("type").asText(), Collectors.toList())));
            assertThat(typesByConnection).containsOnlyKeys(connections);
            typesByConnection
                    .values()
                    .forEach(types ->
                            assertThat(types).containsExactlyInAnyOrder("connection.opened", "connection.closed"));
        }
    }

    @Test
    void pastMaxQueueOnlyConnectionEventsAreDroppedAndCounted() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).with("hooks.max_queue", 2).with("hooks.retry_base", "200ms")) {
            receiver.answer = 503;
            g.start();
            for (String user : List.of("alice", "bob", "carol", "dave")) {
                openAndClose(g, user);
            }
            await().atMost(WAIT).until(() -> dropped(g) + g.gatehouse().hooks().depth() == 8);
            assertThat(dropped(g)).isGreaterThanOrEqualTo(5);

            List<String> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ObjectNode data = TestGatehouse.JSON.createObjectNode().put("task_id", "task-" + i);
                g.gatehouse().hooks().enqueue(WebhookEvents.TASK_CANCEL_REQUESTED, data);
                tasks.add("task-" + i);
            }
            String token = g.opaqueToken("frank");
            var revoked = g.post(
                    "/api/v1/credentials/revoke",
                    TestGatehouse.JSON.createObjectNode().put("token", token).toString(),
                    "Authorization",
                    "apikey " + g.apiKey("revoke"));
            assertThat(revoked.body().path("revoked").asBoolean()).isTrue();
            double droppedBefore = dropped(g);

            receiver.answer = 200;
            await().atMost(WAIT)
                    .until(() -> receiver.ofType("task.cancel_requested").size() == 3
                            && receiver.ofType("token.revoked").size() == 1);
            await().atMost(WAIT).until(() -> g.gatehouse().hooks().depth() == 0);
            assertThat(dropped(g)).as("never-dropped events add no drops").isEqualTo(droppedBefore);
            assertThat(receiver.ofType("task.cancel_requested"))
                    .extracting(e -> e.path("data").path("task_id").asText())
                    .containsExactlyInAnyOrderElementsOf(tasks);
            JsonNode revokedEvent = receiver.ofType("token.revoked").get(0).path("data");
            assertThat(revokedEvent.path("credential_id").asText()).isEqualTo(token.substring(0, 12));
            assertThat(revokedEvent.path("user_id").asText()).isEqualTo("frank");
            long connectionEvents = receiver.events.values().stream()
                    .filter(e -> e.path("type").asText().startsWith("connection."))
                    .count();
            assertThat(connectionEvents + (long) droppedBefore).isEqualTo(8);
            assertThat(metrics(g)).contains("gatehouse_webhook_queue_depth");
        }
    }

    @Test
    void anEventIsDeadAfterMaxAttemptsAndTheApiRetriesIt() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver)
                        .with("hooks.max_attempts", 2)
                        .with("hooks.events", List.of("task.cancel_requested"))) {
            receiver.answer = 503;
            g.start();
            String admin = g.apiKey("admin");
            g.connectAs("alice").close(); // not in hooks.events: never written
            g.gatehouse()
                    .hooks()
                    .enqueue(
                            WebhookEvents.TASK_CANCEL_REQUESTED,
                            TestGatehouse.JSON.createObjectNode().put("task_id", "t1"));

            await().atMost(WAIT)
                    .until(() -> g.get("/api/v1/hooks/dead", "Authorization", "apikey " + admin)
                                    .body()
                                    .path("events")
                                    .size()
                            == 1);
            JsonNode dead = g.get("/api/v1/hooks/dead", "Authorization", "apikey " + admin)
                    .body()
                    .path("events")
                    .get(0);
            assertThat(dead.path("type").asText()).isEqualTo("task.cancel_requested");
            assertThat(dead.path("attempts").asInt()).isEqualTo(2);
            assertThat(dead.path("last_error").asText()).isEqualTo("HTTP 503");
            assertThat(dead.path("body").path("data").path("task_id").asText()).isEqualTo("t1");
            assertThat(g.gatehouse().hooks().depth()).isZero();
            assertThat(metrics(g)).contains("gatehouse_webhook_events_dead_total 1.0");
            String id = dead.path("id").asText();
            String publish = g.apiKey("publish");
            assertThat(g.get("/api/v1/hooks/dead", "Authorization", "apikey " + publish)
                            .status())
                    .isEqualTo(403);
            assertThat(g.post("/api/v1/hooks/dead/" + id + "/retry", "", "Authorization", "apikey " + publish)
                            .status())
                    .isEqualTo(403);

            receiver.answer = 200;
            var retried = g.post("/api/v1/hooks/dead/" + id + "/retry", "", "Authorization", "apikey " + admin);
            assertThat(retried.status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> receiver.events.containsKey(id));
            assertThat(g.post("/api/v1/hooks/dead/" + id + "/retry", "", "Authorization", "apikey " + admin)
                            .status())
                    .isEqualTo(404);
            assertThat(g.get("/api/v1/hooks/dead", "Authorization", "apikey " + admin)
                            .body()
                            .path("events"))
                    .isEmpty();
            assertThat(receiver.events).hasSize(1);
        }
    }

    @Test
    void presenceEventsComeOnlyForNamespacesWithPresenceAndHooksEventsFilters() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver)
                        .with("channels.namespaces.lobby", Map.of("presence", true, "join_leave", false))
                        .with("channels.namespaces.plain", Map.of("presence", false))
                        .with("hooks.events", List.of("presence.joined", "presence.left"))
                        .start();
                WsRecorder ws = g.connectAs("alice")) {
            String connectionId = ws.established().path("connection_id").asText();
            ws.subscribe("plain:news");
            ws.subscribe("lobby:main");
            ws.unsubscribe("lobby:main");
            ws.unsubscribe("plain:news");

            await().atMost(WAIT).until(() -> receiver.ofType("presence.left").size() == 1);
            JsonNode joined = receiver.ofType("presence.joined").get(0).path("data");
            JsonNode left = receiver.ofType("presence.left").get(0).path("data");
            assertThat(joined.path("channel").asText()).isEqualTo("lobby:main");
            assertThat(joined.path("client").path("connection_id").asText()).isEqualTo(connectionId);
            assertThat(joined.path("client").path("user_id").asText()).isEqualTo("alice");
            assertThat(left.path("channel").asText()).isEqualTo("lobby:main");
            assertThat(left.path("client").path("connection_id").asText()).isEqualTo(connectionId);
            ws.assertAlive();
            assertThat(receiver.events)
                    .as("no connection.* (hooks.events), no plain:* (no presence)")
                    .hasSize(2);
        }
    }

    @Test
    void aUserWithThreeTabsRaisesOnePresenceJoinedAndOnePresenceLeft() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver)
                        .with("channels.namespaces.lobby", Map.of("presence", true))
                        .with("hooks.events", List.of("presence.joined", "presence.left"))
                        .start()) {
            List<WsRecorder> tabs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WsRecorder tab = g.connectAs("alice");
                tab.subscribe("lobby:main");
                tabs.add(tab);
            }
            String first = tabs.get(0).established().path("connection_id").asText();
            List<String> all = tabs.stream()
                    .map(t -> t.established().path("connection_id").asText())
                    .toList();
            tabs.forEach(WsRecorder::close);
            await().atMost(WAIT).until(() -> receiver.ofType("presence.left").size() == 1);
            assertThat(receiver.ofType("presence.joined")).hasSize(1);
            assertThat(receiver.ofType("presence.joined")
                            .get(0)
                            .path("data")
                            .path("client")
                            .path("connection_id")
                            .asText())
                    .as("the user's first connection")
                    .isEqualTo(first);
            assertThat(receiver.ofType("presence.left")
                            .get(0)
                            .path("data")
                            .path("client")
                            .path("connection_id")
                            .asText())
                    .as("the user's last connection to go, whichever the server saw close last")
                    .isIn(all);
            Thread.sleep(300);
            assertThat(receiver.events).hasSize(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aTokenDeletedByItsOwnerRaisesTokenRevokedAndItsConnectionClosesWithTheReason() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).start()) {
            String token = g.opaqueToken("alice");
            String prefix = token.substring(0, 12);
            WsRecorder ws = g.connectWith(token);
            String connectionId = ws.established().path("connection_id").asText();

            var deleted = g.delete(
                    "/api/v1/tokens/" + prefix,
                    "Authorization",
                    "Bearer " + io.gatehouse.testing.Jwts.hs256For("alice"));
            assertThat(deleted.status()).isEqualTo(200);

            await().atMost(WAIT)
                    .until(() -> receiver.ofType("token.revoked").size() == 1
                            && receiver.ofType("connection.closed").size() == 1);
            ws.close();
            JsonNode revoked = receiver.ofType("token.revoked").get(0).path("data");
            assertThat(revoked.path("credential_id").asText()).isEqualTo(prefix);
            assertThat(revoked.path("user_id").asText()).isEqualTo("alice");
            JsonNode closed = receiver.ofType("connection.closed").get(0).path("data");
            assertThat(closed.path("connection_id").asText()).isEqualTo(connectionId);
            assertThat(closed.path("code").asInt()).isEqualTo(4401);
            assertThat(closed.path("reason").asText()).isEqualTo("TOKEN_REVOKED");
        }
    }

    @Test
    void aTokenRevokedWithTheCliRaisesTokenRevokedThroughTheRunningServer() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).start()) {
            String token = g.opaqueToken("alice");
            String prefix = token.substring(0, 12);
            WsRecorder ws = g.connectWith(token);

            assertThat(g.cli("token", "revoke", prefix)).isEqualTo("revoked " + prefix);

            await().atMost(WAIT)
                    .until(() -> receiver.ofType("token.revoked").size() == 1
                            && receiver.ofType("connection.closed").size() == 1);
            ws.close();
            JsonNode revoked = receiver.ofType("token.revoked").get(0).path("data");
            assertThat(revoked.path("credential_id").asText()).isEqualTo(prefix);
            assertThat(revoked.path("user_id").asText()).isEqualTo("alice");
            assertThat(receiver.ofType("connection.closed")
                            .get(0)
                            .path("data")
                            .path("reason")
                            .asText())
                    .isEqualTo("TOKEN_REVOKED");
            assertThat(receiver.rejected).hasValue(0);
        }
    }

    @Test
    void aBackendThatNeverAnswersInTimeDoesNotSlowWebSocketTraffic() {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
                TestGatehouse g = server(receiver).with("hooks.timeout", "1s").start()) {
            receiver.delayMillis = 5_000;
            List<WsRecorder> open = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                WsRecorder ws = g.connectAs("user" + i);
                ws.assertAlive();
                open.add(ws);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            open.forEach(WsRecorder::close);

            assertThat(took).as("20 connections established and answering").isLessThan(Duration.ofSeconds(5));
            await().atMost(WAIT)
                    .until(() -> metrics(g).contains("gatehouse_webhook_attempts_failed_total")
                            && !metrics(g).contains("gatehouse_webhook_attempts_failed_total 0.0"));
            await().atMost(WAIT).until(() -> g.gatehouse().hooks().depth() == 40); // nothing lost while it waits
            assertThat(receiver.events).isEmpty();
        }
    }

    /** Opens a connection of {@code user} and closes it; its connection id. */
    private static String openAndClose(TestGatehouse g, String user) {
        WsRecorder ws = g.connectAs(user);
        String id = ws.established().path("connection_id").asText();
        ws.close();
        return id;
    }

    private static String metrics(TestGatehouse g) {
        return g.get("/metrics").raw().body();
    }

    private static double dropped(TestGatehouse g) {
        for (String line : metrics(g).split("\n")) {
            if (line.startsWith("gatehouse_webhook_events_dropped_total ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no gatehouse_webhook_events_dropped_total in /metrics");
    }

    @Test
    void duringASecretRotationAReceiverWithEitherSecretAcceptsEveryDelivery() throws Exception {
        String next = "the-next-hooks-secret-of-at-least-32-bytes";
        try (WebhookReceiver stillOld = new WebhookReceiver(SECRET);
                WebhookReceiver alreadyNew = new WebhookReceiver(next)) {
            for (WebhookReceiver receiver : List.of(stillOld, alreadyNew)) {
                try (TestGatehouse g = server(receiver)
                        .with("hooks.secret", next)
                        .with("hooks.previous_secrets", List.of(SECRET))
                        .start()) {
                    g.connectAs("alice").close();
                    await().atMost(WAIT).until(() -> !receiver.arrivals.isEmpty());
                }
                assertThat(receiver.rejected.get()).isZero();
                assertThat(receiver.raw.get(0).signature()).matches("t=\\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
            }
        }
    }
}
