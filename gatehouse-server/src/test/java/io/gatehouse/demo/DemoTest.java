package io.gatehouse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.UserIds;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.RateLimit;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo on a real node: its user logs in, {@code news} gets a publication about every second, a
 * task of the demo user appears at once and moves, loopback clients connect and some are refused
 * with a code, and {@link Demo#close} leaves no demo thread, client or running task behind.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoTest {
    private static final String DEMO_ID = UserIds.local(Demo.USER);

    private final TestGatehouse server = new TestGatehouse();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        server.close();
    }

    private Demo startDemo() {
        Demo demo = Demo.start(server.gatehouse());
        opened.add(demo);
        return demo;
    }

    private WsRecorder demoConnection() {
        WsRecorder ws = server.connectWith(server.localOpaqueToken(Demo.USER));
        opened.add(ws);
        return ws;
    }

    @Test
    void theDemoUserIsCreatedWithPasswordDemoAndIsNoAdmin() {
        server.start();
        assertThat(startDemo().userState()).isEqualTo(Demo.UserState.CREATED);

        TestGatehouse.Reply login = server.post("/api/v1/auth/login", "{\"username\":\"demo\",\"password\":\"demo\"}");

        assertThat(login.status()).as(String.valueOf(login.body())).isEqualTo(200);
        assertThat(login.body().path("user").path("id").asText()).isEqualTo(DEMO_ID);
        assertThat(login.body().path("user").path("roles")).isEmpty();
    }

    @Test
    void anExistingDemoUserIsLeftAsItIs() throws Exception {
        server.start();
        startDemo().close();
        assertThat(startDemo().userState()).isEqualTo(Demo.UserState.EXISTS);

        TestGatehouse other = new TestGatehouse().start();
        try {
            other.user(Demo.USER, "another-password", false);
            Demo demo = Demo.start(other.gatehouse());
            demo.close();
            assertThat(demo.userState()).isEqualTo(Demo.UserState.OTHER_PASSWORD);
            assertThat(other.post("/api/v1/auth/login", "{\"username\":\"demo\",\"password\":\"demo\"}")
                            .status())
                    .isEqualTo(401);
        } finally {
            other.close();
        }
    }

    @Test
    void newsGetsAPublicationAboutEverySecond() {
        server.start();
        startDemo();
        WsRecorder ws = demoConnection();
        ws.send("{\"type\":\"subscribe\",\"channel\":\"news\"}");

        List<JsonNode> news = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (news.size() < 5 && System.nanoTime() < deadline) {
            JsonNode m = ws.pollMessage(Duration.ofSeconds(1));
            if (m != null
                    && m.path("type").asText().equals("message")
                    && m.path("channel").asText().equals("news")) {
                news.add(m.path("data"));
            }
        }

        assertThat(news).as("publications to news within 30 s").hasSize(5);
        for (int i = 0; i < news.size(); i++) {
            JsonNode data = news.get(i);
            assertThat(data.path("headline").asText()).isNotBlank();
            assertThat(data.path("n").asLong()).isEqualTo(news.get(0).path("n").asLong() + i);
        }
        Duration span = Duration.between(
                Instant.parse(news.get(0).path("at").asText()),
                Instant.parse(news.get(4).path("at").asText()));
        // four periods of one second; loose bounds, the machine may be busy
        assertThat(span).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(12));
    }

    @Test
    void aTaskOfTheDemoUserAppearsAtOnceAndProgresses() {
        server.start();
        startDemo();
        JsonNode task = awaitDemoTask(server.localOpaqueToken(Demo.USER));
        assertThat(task.path("owner").asText()).isEqualTo(DEMO_ID);
        assertThat(task.path("kind").asText()).isEqualTo(DemoTasks.KIND);
        assertThat(task.path("total").asLong()).isEqualTo(DemoTasks.STEPS);

        WsRecorder ws = demoConnection();
        Set<Long> done = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (done.size() < 3 && System.nanoTime() < deadline) {
            JsonNode m = ws.pollMessage(Duration.ofSeconds(1));
            if (m != null
                    && m.path("type").asText().equals("task_progress")
                    && m.path("task").path("id").asText().equals(task.path("id").asText())) {
                done.add(m.path("task").path("done").asLong());
            }
        }
        assertThat(done)
                .as("distinct progress of the demo task pushed to its owner")
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void aCancelFromTheDemoUserEndsTheTaskAsCancelled() {
        server.start();
        startDemo();
        String token = server.localOpaqueToken(Demo.USER);
        String id = awaitDemoTask(token).path("id").asText();

        TestGatehouse.Reply cancel =
                server.post("/api/v1/tasks/" + id + "/cancel", "{}", "Authorization", "Bearer " + token);
        assertThat(cancel.status()).as(String.valueOf(cancel.body())).isEqualTo(200);

        JsonNode ended = awaitValue(Duration.ofSeconds(15), () -> {
            JsonNode t = server.get("/api/v1/tasks/" + id, "Authorization", "Bearer " + token)
                    .body();
            return t.path("status").asText().equals("cancelled") ? t : null;
        });
        assertThat(ended.path("message").asText()).isEqualTo("Cancelled by its owner");
        assertThat(ended.path("done").asLong()).isLessThan(DemoTasks.STEPS);
    }

    @Test
    void clientsOfTheDemoUserConnectOnLoopbackAndSomeAreRefusedWithACode() {
        server.start();
        String admin = server.apiKey("admin");
        startDemo();

        JsonNode connections = awaitValue(Duration.ofSeconds(20), () -> {
            List<JsonNode> demo = new ArrayList<>();
            server.get("/api/v1/connections", "Authorization", "apikey " + admin)
                    .body()
                    .path("connections")
                    .forEach(c -> {
                        if (c.path("user_id").asText().equals(DEMO_ID)
                                && c.path("channels").toString().contains("\"news\"")) {
                            demo.add(c);
                        }
                    });
            return demo.size() >= DemoTraffic.RESIDENTS ? TestGatehouse.JSON.valueToTree(demo) : null;
        });
        assertThat(connections)
                .allSatisfy(c -> assertThat(c.path("client_ip").asText()).isEqualTo("127.0.0.1"));

        for (String code : List.of("TOKEN_INVALID", "TOKEN_EXPIRED")) {
            JsonNode refused = awaitValue(Duration.ofSeconds(20), () -> {
                JsonNode rows = server.get("/api/v1/access-log?outcome=" + code, "Authorization", "apikey " + admin)
                        .body()
                        .path("entries");
                return rows.size() > 0 ? rows.get(0) : null;
            });
            assertThat(refused.path("user_agent").asText()).as(code).isEqualTo(DemoTraffic.USER_AGENT);
            assertThat(refused.path("client_ip").asText()).as(code).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void closeStopsEveryDemoThreadAndClientAndEndsTheTaskUnderWay() throws Exception {
        server.start();
        String admin = server.apiKey("admin");
        Demo demo = startDemo();
        awaitTrue(
                Duration.ofSeconds(20),
                () -> server.gatehouse().hub().connectionsOf(DEMO_ID).size() >= DemoTraffic.RESIDENTS);
        awaitTrue(
                Duration.ofSeconds(15),
                () -> server.get(
                                        "/api/v1/tasks?owner=" + DEMO_ID,
                                        "Authorization",
                                        "apikey " + server.apiKey("publish"))
                                .body()
                                .path("tasks")
                                .size()
                        > 0);

        demo.close();

        assertThat(demoThreads()).as("demo threads after close").isEmpty();
        awaitTrue(
                Duration.ofSeconds(10),
                () -> server.gatehouse().hub().connectionsOf(DEMO_ID).isEmpty());
        JsonNode tasks = server.get("/api/v1/tasks?owner=" + DEMO_ID, "Authorization", "apikey " + admin)
                .body()
                .path("tasks");
        assertThat(tasks).allSatisfy(t -> assertThat(t.path("status").asText()).isIn("cancelled", "completed"));
        long offset = newsOffset();
        Thread.sleep(2500); // nothing may publish any more: two and a half periods of the publisher
        assertThat(newsOffset()).isEqualTo(offset);
    }

    @Test
    void refusalsStayWellWithinTheLoopbackAddressesAllowance() {
        GatehouseConfig defaults = ConfigLoader.defaults();
        assertThat(DemoTraffic.refusalPeriod(defaults.limits())).isEqualTo(Duration.ofSeconds(5));
        GatehouseConfig strict = ConfigLoader.load(new ConfigSources()
                .flag(io.gatehouse.config.ConfigKey.LIMITS_AUTH_FAILURES_PER_IP, "{rate: 0.05, burst: 4}", "--x"));
        assertThat(strict.limits().authFailuresPerIp()).isEqualTo(new RateLimit(0.05, 4));
        // TOKEN_INVALID every other period: one per 40 s against a refill of one per 20 s
        assertThat(DemoTraffic.refusalPeriod(strict.limits())).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void theClientsConnectToTheNodeItself() {
        assertThat(Demo.webSocketUri("http://0.0.0.0:8080")).isEqualTo(URI.create("ws://127.0.0.1:8080/ws"));
        assertThat(Demo.webSocketUri("http://[0:0:0:0:0:0:0:0]:8080")).isEqualTo(URI.create("ws://127.0.0.1:8080/ws"));
        assertThat(Demo.localUrl("http://[0:0:0:0:0:0:0:0]:8080")).isEqualTo("http://127.0.0.1:8080");
        assertThat(Demo.webSocketUri("http://127.0.0.1:9")).isEqualTo(URI.create("ws://127.0.0.1:9/ws"));
        assertThat(Demo.webSocketUri("http://[::1]:9")).isEqualTo(URI.create("ws://[::1]:9/ws"));
    }

    /** The demo user's newest task as {@code token} (the demo user's) lists it, once there is one. */
    private JsonNode awaitDemoTask(String token) {
        return awaitValue(Duration.ofSeconds(15), () -> {
            JsonNode tasks = server.get("/api/v1/tasks", "Authorization", "Bearer " + token)
                    .body()
                    .path("tasks");
            return tasks.size() > 0 ? tasks.get(0) : null;
        });
    }

    private long newsOffset() {
        String key = server.apiKey("publish");
        return server.get("/api/v1/channels/news/history?limit=1", "Authorization", "apikey " + key)
                .body()
                .path("offset")
                .asLong();
    }

    private static List<String> demoThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(Demo.THREAD_PREFIX))
                .toList();
    }

    private static void awaitTrue(Duration limit, BooleanSupplier condition) {
        awaitValue(limit, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Polls {@code value} every 200 ms until it is not null; fails after {@code limit}. */
    private static <T> T awaitValue(Duration limit, java.util.function.Supplier<T> value) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
