package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.auth.User;
import io.gatehouse.store.PostgresTestSchema;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.tasks.CancelAnswer;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes that share one PostgreSQL (SPEC §10, issue 15), each test on its own schema of the real
 * server at 127.0.0.1:5432: what one node writes is written once, a task's change is made by one
 * node, and a node whose database is away still lets JWT clients in.
 */
class PostgresNodesTest {
    private final PostgresTestSchema schema = new PostgresTestSchema();

    @BeforeEach
    void createSchema() throws Exception {
        schema.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        schema.drop();
    }

    private TestGatehouse node(String databaseUrl) {
        return new TestGatehouse()
                .with("database.url", databaseUrl)
                .with("database.username", PostgresTestSchema.USER)
                .with("shutdown.drain", "100ms");
    }

    private static TestGatehouse withHooks(TestGatehouse node) {
        return node.with("hooks.url", "http://127.0.0.1:9/hooks").with("hooks.secret", "webhook-test-secret");
    }

    @Test
    void eachConnectionOfTwoNodesIsOneAccessLogRowCompletedByItsClose() throws Exception {
        int perNode = 10;
        try (TestGatehouse a = node(schema.url()).start();
                TestGatehouse b = node(schema.url()).start()) {
            List<String> ids = new ArrayList<>();
            for (TestGatehouse n : List.of(a, b)) {
                for (int i = 0; i < perNode; i++) {
                    try (WsRecorder ws = n.connectAs("user-" + n.gatehouse().port() + "-" + i)) {
                        ids.add(ws.established().path("connection_id").asText());
                    }
                }
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> count("SELECT COUNT(*) FROM access_log WHERE close_code IS NOT NULL") == 2 * perNode);
            assertThat(count("SELECT COUNT(*) FROM access_log")).as("rows").isEqualTo(2L * perNode);
            assertThat(count("SELECT COUNT(DISTINCT connection_id) FROM access_log WHERE outcome = 'ACCEPTED'"))
                    .isEqualTo(2L * perNode);
            assertThat(ids).doesNotHaveDuplicates();
        }
    }

    @Test
    void aTaskAskedToCancelOnBothNodesAtOnceIsAskedOnceAndFinishedOnce() throws Exception {
        // Webhooks on (to an endpoint that is down), so a cancel request writes its event.
        try (TestGatehouse a = withHooks(node(schema.url())).start();
                TestGatehouse b = withHooks(node(schema.url())).start()) {
            TaskRecord t = a.gatehouse().tasks().create("alice", "export", "Export", 100L, null, "test");
            User alice = new User("alice", "alice", List.of());
            List<Callable<Optional<CancelAnswer>>> cancels = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                for (TestGatehouse n : List.of(a, b)) {
                    cancels.add(() -> n.gatehouse().tasks().requestCancel(t.id(), alice));
                }
            }
            List<Optional<CancelAnswer>> answers = allAtOnce(cancels);
            assertThat(answers.stream().filter(x -> x.orElseThrow().requested()).count())
                    .as("requests that changed the task")
                    .isEqualTo(1);
            List<Callable<Optional<TaskRecord>>> finishes = new ArrayList<>();
            for (TestGatehouse n : List.of(a, b)) {
                finishes.add(() -> n.gatehouse().tasks().finish(t.id(), TaskStatus.CANCELLED, null, null, "worker"));
                finishes.add(() -> n.gatehouse().tasks().finish(t.id(), TaskStatus.COMPLETED, null, null, "worker"));
            }
            List<Optional<TaskRecord>> finished = allAtOnce(finishes);
            assertThat(finished.stream()
                            .map(f -> f.orElseThrow().status())
                            .distinct()
                            .toList())
                    .as("every finish answered with the one stored final status")
                    .hasSize(1);
            assertThat(count("SELECT COUNT(*) FROM task_history WHERE status = 'cancel_requested'"))
                    .isEqualTo(1);
            assertThat(count("SELECT COUNT(*) FROM webhook_events WHERE type = 'task.cancel_requested'"))
                    .as("task.cancel_requested events")
                    .isEqualTo(1);
            assertThat(count("SELECT COUNT(*) FROM task_history WHERE status IN ('cancelled', 'completed', 'failed')"))
                    .as("final status changes")
                    .isEqualTo(1);
        }
    }

    @Test
    void aWorkerReportingProgressToOneNodeLearnsOfACancelRequestMadeOnTheOther() throws Exception {
        try (TestGatehouse a =
                        node(schema.url()).with("tasks.push_interval", "50ms").start();
                TestGatehouse b = node(schema.url()).start()) {
            TaskRecord t = a.gatehouse().tasks().create("alice", "export", "Export", 1000L, null, "test");
            assertThat(a.gatehouse()
                            .tasks()
                            .progress(t.id(), 1, null, null)
                            .orElseThrow()
                            .cancelRequested())
                    .isFalse();
            CancelAnswer asked = b.gatehouse()
                    .tasks()
                    .requestCancel(t.id(), new User("alice", "alice", List.of()))
                    .orElseThrow();
            assertThat(asked.requested()).isTrue();
            // The worker goes on reporting to node A, which had the task cached as running.
            long[] done = {1};
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> a.gatehouse()
                            .tasks()
                            .progress(t.id(), ++done[0], null, null)
                            .orElseThrow()
                            .cancelRequested());
            assertThat(a.gatehouse().tasks().find(t.id()).orElseThrow().status())
                    .isEqualTo(TaskStatus.CANCEL_REQUESTED);
        }
    }

    @Test
    void aJwtRevokedThroughOneNodeIsRefusedByTheOtherAndByANodeStartedAfter() throws Exception {
        try (TestGatehouse a = node(schema.url()).start();
                TestGatehouse b = node(schema.url()).start()) {
            String jwt = Jwts.hs256For("dave");
            try (WsRecorder live = b.connectWith(jwt)) {
                TestGatehouse.Reply revoked = a.post(
                        "/api/v1/credentials/revoke",
                        TestGatehouse.JSON.createObjectNode().put("token", jwt).toString(),
                        "Authorization",
                        "apikey " + a.apiKey("revoke"));
                long answered = System.nanoTime();
                assertThat(revoked.status()).isEqualTo(200);
                assertThat(revoked.body().path("revoked").asBoolean()).isTrue();
                // Node B acts on the journal entry: it closes the live socket, and holds the token.
                assertThat(live.awaitClose("the revoked JWT's socket on the other node", answered))
                        .isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            }
            assertRefusedAsRevoked(b, jwt);
            try (TestGatehouse c = node(schema.url()).start()) {
                assertRefusedAsRevoked(c, jwt);
            }
        }
    }

    private static void assertRefusedAsRevoked(TestGatehouse node, String jwt) {
        try (WsRecorder ws = WsRecorder.connect(node.ws(), "Authorization", "Bearer " + jwt)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
    }

    @Test
    void withPostgresUnreachableOpaqueTokensAndSessionsAre4503AndJwtsStillConnect() throws Exception {
        try (TcpRelay relay = new TcpRelay(postgresPort());
                TestGatehouse server = node(schema.url().replaceFirst("//[^/]+/", "//127.0.0.1:" + relay.port() + "/"))
                        .start()) {
            String token = server.opaqueToken("alice");
            server.connectWith(token).close();
            server.user("carol", "carol-password-long-enough", false);
            BrowserSession carol = BrowserSession.login(server, "carol", "carol-password-long-enough");
            carol.connect(server).close();

            relay.cut();
            try (WsRecorder refused = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
                assertThat(refused.awaitClose()).isEqualTo(new WsRecorder.Close(4503, "BACKEND_UNAVAILABLE"));
            }
            try (WsRecorder refused = WsRecorder.connect(
                    carol.ws(server), "Cookie", carol.cookieHeader(), "Origin", BrowserSession.ownOrigin(server))) {
                assertThat(refused.awaitClose()).isEqualTo(new WsRecorder.Close(4503, "BACKEND_UNAVAILABLE"));
            }
            // A JWT is checked without the database: the handshake succeeds, and the socket stays up
            // after the task catch-up (which needs the database) has given up.
            try (WsRecorder jwt = server.connectAs("bob")) {
                jwt.assertQuiet(Duration.ofSeconds(6));
                jwt.assertAlive();
            }

            relay.resume();
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (WsRecorder back = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
                    back.awaitEstablished();
                }
            });
        }
    }

    private static int postgresPort() {
        Matcher m = Pattern.compile("//[^/:]+:(\\d+)/").matcher(PostgresTestSchema.SERVER_URL);
        return m.find() ? Integer.parseInt(m.group(1)) : 5432;
    }

    private long count(String sql) throws Exception {
        try (Connection c = PostgresTestSchema.administration();
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema.name);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Runs every call at once, one thread each, and returns their results in order. */
    private static <T> List<T> allAtOnce(List<Callable<T>> calls) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> running = new ArrayList<>();
            for (Callable<T> call : calls) {
                running.add(threads.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
