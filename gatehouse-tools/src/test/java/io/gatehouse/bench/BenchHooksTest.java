package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.hooks.WebhookSignature;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.tools.GatehouseTools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse bench hooks} against a real server in this JVM whose {@code hooks.url} is the
 * bench's receiver, with tiny numbers; and the receiver's signature check against the server's
 * own signatures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchHooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOOK_SECRET = "Zq8vN2xR7tLm4KpW9sYb3HcJ6fDg1QeA5uVo0iTn";

    private static int hookPort;
    private static TestGatehouse server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            hookPort = free.getLocalPort();
        }
        server = new TestGatehouse()
                .with("hooks.url", "http://127.0.0.1:" + hookPort + HookReceiver.PATH)
                .with("hooks.secret", HOOK_SECRET)
                .with("limits.upgrades_per_credential", Map.of("rate", 100000, "burst", 100000))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void hooksReceivesBothEventsOfEveryConnectionOnceAndSigned() throws Exception {
        Path json = dir.resolve("hooks.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = GatehouseTools.run(
                new String[] {
                    "bench",
                    "hooks",
                    "--url",
                    server.url(),
                    "--secret",
                    TestGatehouse.SECRET,
                    "--hook-port",
                    Integer.toString(hookPort),
                    "--hook-secret",
                    HOOK_SECRET,
                    "--connections",
                    "2",
                    "--duration",
                    "1s",
                    "--json",
                    json.toString()
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertThat(exit).as(out + "" + err).isZero();
        JsonNode result = JSON.readTree(json.toFile());
        JsonNode h = result.get("handshakes");
        assertThat(h.get("succeeded").asInt()).isPositive();
        assertThat(h.get("failed").asInt()).isZero();
        JsonNode w = result.get("webhooks");
        assertThat(w.get("raised").asLong()).isEqualTo(2L * h.get("succeeded").asInt());
        assertThat(w.get("received").asLong()).isEqualTo(w.get("raised").asLong());
        assertThat(w.get("missing").asLong()).isZero();
        assertThat(w.get("bad_signatures").asLong()).isZero();
        assertThat(w.get("by_type").get("connection.opened").asLong())
                .isEqualTo(w.get("by_type").get("connection.closed").asLong());
        assertThat(w.get("per_second").asDouble()).isPositive();
        assertThat(w.get("during_generation").asLong())
                .isBetween(0L, w.get("received").asLong());
        assertThat(w.get("lag").get("count").asLong())
                .isEqualTo(w.get("received").asLong());
        assertThat(w.get("server_dropped").asLong()).isZero();
        assertThat(out.toString()).contains("received: ", "PASSED");
    }

    @Test
    void theReceiverTakesTheServersSignatureAndNothingElse() throws Exception {
        try (HookReceiver receiver = new HookReceiver(0, HOOK_SECRET, 1, "bench-hooks-test-")) {
            String body = "{\"id\":\"evt_1\",\"type\":\"connection.opened\",\"data\":{}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Instant now = Instant.now();
            long t = now.getEpochSecond();

            assertThat(receiver.signed(WebhookSignature.header(HOOK_SECRET, t, body), bytes, now))
                    .isTrue();
            assertThat(receiver.signed(WebhookSignature.header(HOOK_SECRET, t, body + " "), bytes, now))
                    .isFalse();
            assertThat(receiver.signed(
                            WebhookSignature.header("another-secret-that-is-at-least-32-bytes", t, body), bytes, now))
                    .isFalse();
            assertThat(receiver.signed(WebhookSignature.header(HOOK_SECRET, t - 301, body), bytes, now))
                    .as("older than 5 minutes")
                    .isFalse();
            assertThat(receiver.signed("v1=" + WebhookSignature.v1(HOOK_SECRET, t, body), bytes, now))
                    .isFalse();
            assertThat(receiver.signed(null, bytes, now)).isFalse();
        }
    }
}
