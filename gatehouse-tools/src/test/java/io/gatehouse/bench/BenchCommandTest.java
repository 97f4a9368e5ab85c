package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.tools.GatehouseTools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse bench}, run in-process against a real server in this JVM with tiny numbers:
 * each scenario ends by itself, reports sane figures and loses nothing; wrong use exits 2 before
 * any load.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    @Test
    void connectOpensEveryConnectionAndReportsRateLatencyAndRssPerConnection() throws Exception {
        Path json = dir.resolve("connect.json");

        Result r = bench(
                "connect",
                "--connections",
                "20",
                "--warmup-connections",
                "5",
                "--rate",
                "500",
                "--json",
                json.toString());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("20 of 20 connections established", "handshakes/s", "PASSED");
        JsonNode result = JSON.readTree(json.toFile());
        assertThat(result.get("passed").asBoolean()).isTrue();
        JsonNode handshakes = result.get("handshakes");
        assertThat(handshakes.get("attempted").asInt()).isEqualTo(20);
        assertThat(handshakes.get("succeeded").asInt()).isEqualTo(20);
        assertThat(handshakes.get("failed").asInt()).isZero();
        assertThat(handshakes.get("per_second").asDouble()).isPositive();
        JsonNode latency = handshakes.get("latency");
        assertThat(latency.get("count").asInt()).isEqualTo(20);
        assertThat(latency.get("p50_ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(latency.get("p99_ms").asDouble());
        assertThat(latency.get("max_ms").asDouble()).isLessThan(10_000);
        assertThat(result.get("memory").get("rss_before_bytes").asLong()).isPositive();
        assertThat(result.get("memory").get("connections").asInt()).isEqualTo(20);
        assertThat(result.get("settings").get("warmup_connections").asInt()).isEqualTo(5);
        assertThat(result.get("cpu").get("server_cores").asDouble()).isPositive();
        assertThat(result.get("notes").toString()).contains("the bench's own process");
    }

    @Test
    void aWarmupUrlTakesTheWarmupConnectionsSoTheServerUnderLoadIsMeasuredFromItsFirst() throws Exception {
        Path json = dir.resolve("connect-cold.json");
        try (TestGatehouse fresh = new TestGatehouse().start();
                TestGatehouse warm = new TestGatehouse().start()) {
            Result r = run(
                    "bench",
                    "connect",
                    "--url",
                    fresh.url(),
                    "--secret",
                    TestGatehouse.SECRET,
                    "--connections",
                    "20",
                    "--warmup-connections",
                    "5",
                    "--warmup-url",
                    warm.url(),
                    "--rate",
                    "500",
                    "--json",
                    json.toString());

            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(JSON.readTree(json.toFile())
                            .get("settings")
                            .get("warmup_url")
                            .asText())
                    .isEqualTo(warm.url());
            assertThat(acceptedConnections(warm, 5)).isEqualTo(5);
            assertThat(acceptedConnections(fresh, 20)).isEqualTo(20);
        }
    }

    @Test
    void aWarmupUrlOffThisMachineIsRefusedBeforeAnyLoad() {
        Result r = bench("connect", "--connections", "5", "--warmup-url", "http://192.0.2.1:8080");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--warmup-url http://192.0.2.1:8080 is not a loopback address");
    }

    @Test
    void fanoutDeliversEveryPublicationToEverySubscriberExactlyOnce() throws Exception {
        Path json = dir.resolve("fanout.json");

        Result r = bench(
                "fanout",
                "--api-key",
                server.apiKey("publish"),
                "--subscribers",
                "20",
                "--channel",
                "bench-test",
                "--publications-per-second",
                "20",
                "--payload-bytes",
                "200",
                "--warmup",
                "500ms",
                "--duration",
                "1500ms",
                "--json",
                json.toString());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode d = JSON.readTree(json.toFile()).get("deliveries");
        assertThat(d.get("subscribers").asInt()).isEqualTo(20);
        assertThat(d.get("publications").asInt()).isEqualTo(40);
        assertThat(d.get("measured_publications").asInt()).isEqualTo(30);
        assertThat(d.get("expected").asLong()).isEqualTo(800);
        assertThat(d.get("received").asLong()).isEqualTo(800);
        assertThat(d.get("lost").asLong()).isZero();
        assertThat(d.get("duplicates").asLong()).isZero();
        assertThat(d.get("publications_failed").asInt()).isZero();
        assertThat(d.get("latency").get("count").asLong()).isEqualTo(600); // measured ones only
        assertThat(d.get("latency").get("p50_ms").asDouble()).isPositive().isLessThan(5_000);
        assertThat(d.get("publish_answer").get("count").asLong()).isEqualTo(30);
        // The rates are the machine's, so what is checked is how they are worked out: deliveries
        // over the window from the first measured publication to the last delivery, and a publisher
        // paced at the rate asked (not bursting, not crawling). Bands of about 10 % around 400/s and
        // 20/s would fail whenever one publication at either end of the window was 150 ms late.
        assertThat(d.get("target_publications_per_second").asDouble()).isEqualTo(20.0);
        assertThat(d.get("per_second").asDouble() * d.get("seconds").asDouble()).isCloseTo(600.0, within(0.01));
        assertThat(d.get("publications_per_second").asDouble()).isBetween(10.0, 40.0);
        System.out.printf(
                "%.1f deliveries/s over %.2f s, %.1f publications/s%n",
                d.get("per_second").asDouble(),
                d.get("seconds").asDouble(),
                d.get("publications_per_second").asDouble());
        assertThat(r.out()).contains("deliveries: 800 of 800, lost 0, duplicates 0", "PASSED");
    }

    @Test
    void tasksPostsProgressAndEveryOwnerEndsWithItsTasksLastDone() throws Exception {
        Path json = dir.resolve("tasks.json");

        Result r = bench(
                "tasks",
                "--api-key",
                server.apiKey("publish"),
                "--owners",
                "5",
                "--tasks-per-owner",
                "2",
                "--worker-connections",
                "2",
                "--warmup",
                "500ms",
                "--duration",
                "1500ms",
                "--json",
                json.toString());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode result = JSON.readTree(json.toFile());
        assertThat(result.get("handshakes").get("succeeded").asInt()).isEqualTo(5);
        JsonNode t = result.get("tasks");
        assertThat(t.get("owners").asInt()).isEqualTo(5);
        assertThat(t.get("tasks").asInt()).isEqualTo(10);
        assertThat(t.get("calls_failed").asInt()).isZero();
        assertThat(t.get("measured_calls").asLong()).isPositive();
        assertThat(t.get("calls_per_second").asDouble()).isPositive();
        assertThat(t.get("call_answer").get("count").asLong())
                .isEqualTo(t.get("measured_calls").asLong());
        assertThat(t.get("measured_frames").asLong()).isPositive();
        assertThat(t.get("frames_per_second").asDouble()).isPositive();
        // Each of 10 tasks is pushed at most once per tasks.push_interval (100 ms) and at least once.
        assertThat(t.get("frames_per_second").asDouble()).isLessThanOrEqualTo(10 * 10 * 1.5);
        assertThat(t.get("tasks_checked").asInt()).isEqualTo(10);
        assertThat(t.get("tasks_current").asInt()).isEqualTo(10);
        assertThat(t.get("tasks_wrong_owner").asInt()).isZero();
        assertThat(t.get("tasks_backwards").asInt()).isZero();
        assertThat(r.out()).contains("10 of 10 tasks current", "PASSED");
        // The run completes its tasks: none is left for a later run's owners.
        TestGatehouse.Reply running = server.get(
                "/api/v1/tasks?owner=bench-0&status=running", "Authorization", "apikey " + server.apiKey("publish"));
        assertThat(running.body().get("tasks")).isEmpty();
    }

    @Test
    void idleHoldsEveryConnectionAndReportsRssAndLiveHeapPerConnection() throws Exception {
        Path json = dir.resolve("idle.json");

        Result r = bench("idle", "--connections", "20", "--hold", "1s", "--json", json.toString());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode result = JSON.readTree(json.toFile());
        assertThat(result.get("settings").get("hold_seconds").asInt()).isEqualTo(1);
        JsonNode memory = result.get("memory");
        assertThat(memory.get("connections").asInt()).isEqualTo(20);
        assertThat(memory.get("rss_after_bytes").asLong()).isPositive();
        // This JVM is the server: jcmd reads its live heap before and after.
        assertThat(memory.get("heap_before_bytes").asLong()).isPositive();
        assertThat(memory.get("heap_after_bytes").asLong()).isPositive();
        assertThat(memory.has("heap_per_connection_bytes")).isTrue();
        assertThat(r.out()).contains("server live heap", "PASSED");
    }

    @Test
    void churnHoldsEveryConnectionWhileOthersComeAndGoAndReportsBothPhases() throws Exception {
        Path json = dir.resolve("churn.json");

        Result r = bench(
                "churn",
                "--api-key",
                server.apiKey("publish"),
                "--connections",
                "200",
                "--channel",
                "bench-churn-test",
                "--churn-rate",
                "100",
                "--publications-per-second",
                "4",
                "--warmup",
                "500ms",
                "--quiet",
                "2s",
                "--duration",
                "3s",
                "--json",
                json.toString());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode result = JSON.readTree(json.toFile());
        assertThat(result.get("passed").asBoolean()).isTrue();
        assertThat(result.get("handshakes").get("succeeded").asInt()).isEqualTo(200);
        JsonNode d = result.get("deliveries");
        assertThat(d.get("publications").asInt()).isEqualTo(22); // 2 warm-up, 8 quiet, 12 under churn
        assertThat(d.get("received").asLong()).isEqualTo(200L * 22);
        assertThat(d.get("lost").asLong()).isZero();
        assertThat(d.get("duplicates").asLong()).isZero();
        JsonNode churn = result.get("churn");
        assertThat(churn.get("held_connections").asInt()).isEqualTo(200);
        assertThat(churn.get("held_dropped").asInt()).isZero();
        assertThat(churn.get("quiet_publications").asInt()).isEqualTo(8);
        assertThat(churn.get("churn_publications").asInt()).isEqualTo(12);
        // Each phase's latency is its own publications' deliveries to every held connection.
        assertThat(churn.get("quiet_latency").get("count").asLong()).isEqualTo(200L * 8);
        assertThat(churn.get("churn_latency").get("count").asLong()).isEqualTo(200L * 12);
        assertThat(churn.get("quiet_latency").get("p99_ms").asDouble())
                .isPositive()
                .isLessThan(5_000);
        assertThat(churn.get("churn_latency").get("p99_ms").asDouble())
                .isPositive()
                .isLessThan(5_000);
        assertThat(churn.get("p99_ratio").asDouble()).isPositive();
        JsonNode cycles = churn.get("churn");
        assertThat(cycles.get("failed").asInt()).isZero();
        // 100/s for the 3 s of publications and the drain: about 300; the schedule is the bench's.
        assertThat(cycles.get("succeeded").asInt()).isBetween(150, 600);
        assertThat(cycles.get("succeeded").asInt())
                .isEqualTo(cycles.get("attempted").asInt());
        assertThat(cycles.get("per_second").asDouble()).isBetween(50.0, 150.0);
        assertThat(cycles.get("latency").get("count").asLong())
                .isEqualTo(cycles.get("succeeded").asLong());
        assertThat(churn.get("churn_server_cores").asDouble()).isPositive();
        assertThat(churn.get("rss_churn_bytes").asLong()).isPositive();
        System.out.print(r.out());
        assertThat(r.out())
                .contains("quiet: publish → deliver", "churn: publish → deliver", "p99 churn ÷ p99 quiet", "PASSED");
    }

    @Test
    void refusedHandshakesFailTheRunWithExit1AndTheirReason() {
        Result r = bench(
                "connect",
                "--connections",
                "5",
                "--warmup-connections",
                "0",
                "--secret",
                "another-secret-that-is-at-least-32-bytes!");

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("failed x5: closed by the server: 4401 TOKEN_INVALID", "FAILED: 5 of 5 handshakes failed");
    }

    @Test
    void fanoutPublishesThroughThePublishUrlWhenOneIsGiven() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once closed: every publication through it fails
        }
        Result r = bench(
                "fanout",
                "--api-key",
                server.apiKey("publish"),
                "--subscribers",
                "2",
                "--publications-per-second",
                "10",
                "--warmup",
                "200ms",
                "--duration",
                "300ms",
                "--publish-url",
                "http://127.0.0.1:" + closed);

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("were not answered 200", "FAILED");
        assertThat(run(
                                "bench",
                                "fanout",
                                "--url",
                                server.url(),
                                "--secret",
                                TestGatehouse.SECRET,
                                "--api-key",
                                "k",
                                "--publish-url",
                                "http://192.0.2.10:8080")
                        .err())
                .contains("--publish-url http://192.0.2.10:8080 is not a loopback address");
    }

    @Test
    void aServerThatIsNotOnLoopbackIsRefusedWithExit2() {
        Result r = run("bench", "connect", "--url", "http://192.0.2.10:8080", "--secret", TestGatehouse.SECRET);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not a loopback address");
    }

    @Test
    void usageErrorsExit2BeforeAnyLoad() {
        String url = server.url();
        assertThat(run("bench").exit()).isEqualTo(2);
        assertThat(run("bench").err()).contains("Missing scenario");
        assertThat(run("bench", "stampede", "--url", url).exit()).isEqualTo(2);
        assertThat(run(
                                "bench",
                                "churn",
                                "--url",
                                url,
                                "--secret",
                                TestGatehouse.SECRET,
                                "--api-key",
                                "k",
                                "--quiet",
                                "0s")
                        .err())
                .contains("--quiet must be more than 0");
        assertThat(run(
                                "bench",
                                "churn",
                                "--url",
                                url,
                                "--secret",
                                TestGatehouse.SECRET,
                                "--api-key",
                                "k",
                                "--churn-rate",
                                "0")
                        .exit())
                .isEqualTo(2);
        assertThat(run("bench", "connect", "--url", url, "--secret", TestGatehouse.SECRET, "--token", "t")
                        .err())
                .contains("not both");
        assertThat(run("bench", "connect", "--url", url, "--secret", "short").err())
                .contains("at least 32 bytes");
        assertThat(run("bench", "connect", "--url", url, "--secret", TestGatehouse.SECRET, "--rate", "0")
                        .exit())
                .isEqualTo(2);
        assertThat(run("bench", "connect", "--url", url, "--secret", TestGatehouse.SECRET, "--connections", "1000000")
                        .err())
                .contains("ulimit -n");
        assertThat(run("bench", "idle", "--url", url, "--secret", TestGatehouse.SECRET, "--hold", "forever")
                        .exit())
                .isEqualTo(2);
        assertThat(run("bench", "idle", "--url", url, "--secret", TestGatehouse.SECRET, "--hold", "2h")
                        .err())
                .contains("--hold must be 0 to 60m");
        assertThat(run("bench", "fanout", "--url", url, "--secret", TestGatehouse.SECRET)
                        .err())
                .contains("--api-key");
        assertThat(run("bench", "tasks", "--url", url, "--token", "t", "--api-key", "k")
                        .err())
                .contains("--secret");
        assertThat(run("bench", "tasks", "--url", url, "--secret", TestGatehouse.SECRET, "--owners", "0")
                        .exit())
                .isEqualTo(2);
        assertThat(run("bench", "hooks", "--url", url, "--secret", TestGatehouse.SECRET)
                        .err())
                .contains("--hook-port");
        assertThat(run(
                                "bench",
                                "hooks",
                                "--url",
                                url,
                                "--secret",
                                TestGatehouse.SECRET,
                                "--hook-port",
                                "9",
                                "--hook-secret",
                                "short")
                        .err())
                .contains("at least 32 bytes");
        assertThat(run(
                                "bench",
                                "fanout",
                                "--url",
                                url,
                                "--secret",
                                TestGatehouse.SECRET,
                                "--api-key",
                                "k",
                                "--channel",
                                "no spaces")
                        .exit())
                .isEqualTo(2);
    }

    /** {@code gatehouse bench SCENARIO --url (this server) --secret (its secret) --pid (this JVM) ARGS}. */
    /**
     * {@code gatehouse_connection_attempts_total{outcome="ACCEPTED"}} of {@code gatehouse} once it
     * reaches {@code expected} (the counter is bumped after the handshake answers), or its value
     * after 5 s.
     */
    private static long acceptedConnections(TestGatehouse gatehouse, long expected) throws Exception {
        String series = "gatehouse_connection_attempts_total{outcome=\"ACCEPTED\"} ";
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long value;
        do {
            String text = http.send(
                            HttpRequest.newBuilder(URI.create(gatehouse.url() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            value = text.lines()
                    .filter(l -> l.startsWith(series))
                    .mapToLong(l -> (long)
                            Double.parseDouble(l.substring(series.length()).trim()))
                    .findFirst()
                    .orElse(0);
            if (value != expected) {
                Thread.sleep(50);
            }
        } while (value != expected && System.nanoTime() < deadline);
        return value;
    }

    private static Result bench(String scenario, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "bench",
                scenario,
                "--url",
                server.url(),
                "--pid",
                Long.toString(ProcessHandle.current().pid())));
        all.addAll(List.of(args));
        if (!all.contains("--secret")) {
            all.addAll(List.of("--secret", TestGatehouse.SECRET));
        }
        return run(all.toArray(String[]::new));
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseTools.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
