package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} on a real server (SPEC §6): after an accepted and a refused WebSocket
 * connection and one publication, the Prometheus text holds every metric the spec names.
 */
class MetricsEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(WAIT).build();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void metricsHoldEverySpecNameAfterAnAcceptedARefusedConnectionAndAPublication() {
        try (WsRecorder alice = server.connectAs("alice")) {
            alice.subscribe("news");
            try (WsRecorder forged = WsRecorder.connect(server.ws(), "Authorization", "Bearer not-a-token")) {
                assertThat(forged.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
            }
            TestGatehouse.Reply published = server.post(
                    "/api/v1/publish",
                    "{\"channel\":\"news\",\"data\":1}",
                    "Authorization",
                    "apikey " + server.apiKey("publish"));
            assertThat(published.status()).isEqualTo(200);
            alice.awaitType("message");

            // Counters are bumped as the server records each step, not before it answers: poll.
            await().atMost(WAIT).untilAsserted(() -> {
                String text = scrape();
                assertThat(sample(text, "gatehouse_connections")).as(text).hasValue(1.0);
                assertThat(sample(text, "gatehouse_connection_attempts_total{outcome=\"ACCEPTED\"}"))
                        .as(text)
                        .hasValue(1.0);
                assertThat(sample(text, "gatehouse_connection_attempts_total{outcome=\"TOKEN_INVALID\"}"))
                        .as(text)
                        .hasValue(1.0);
                assertThat(sample(text, "gatehouse_messages_published_total"))
                        .as(text)
                        .hasValue(1.0);
                assertThat(sample(text, "gatehouse_messages_delivered_total"))
                        .as(text)
                        .hasValue(1.0);
                assertThat(sample(text, "gatehouse_messages_in_total"))
                        .as("alice's subscribe")
                        .hasValue(1.0);
                assertThat(sample(text, "gatehouse_messages_out_total"))
                        .as("connection_established, subscribed and the message, to alice")
                        .hasValue(3.0);
                assertThat(sample(text, "gatehouse_handshake_seconds_count"))
                        .as(text)
                        .hasValueSatisfying(n -> assertThat(n).isPositive());
            });
        }
        String text = scrape();
        assertThat(text)
                .contains("# TYPE gatehouse_handshake_seconds histogram")
                .contains("gatehouse_handshake_seconds_bucket{le=");
        // Paths this test does not take: present, at 0.
        assertThat(sample(text, "gatehouse_session_refresh_total")).as(text).hasValue(0.0);
        assertThat(sample(text, "gatehouse_access_log_dropped_total")).as(text).hasValue(0.0);
    }

    @Test
    void metricsAreServedAsPrometheusText() {
        HttpResponse<String> r = getMetrics();

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body()).contains("# HELP gatehouse_connections ").contains("# TYPE gatehouse_connections gauge");
    }

    private static String scrape() {
        HttpResponse<String> r = getMetrics();
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Not through {@link TestGatehouse#get}: that parses the body as JSON. */
    private static HttpResponse<String> getMetrics() {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                            .timeout(WAIT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of the sample named exactly {@code series} (name and labels as exposed), if present. */
    static Optional<Double> sample(String text, String series) {
        return text.lines()
                .filter(l -> !l.startsWith("#") && l.startsWith(series + " "))
                .map(l -> Double.parseDouble(
                        l.substring(series.length() + 1).trim().split(" ")[0]))
                .findFirst();
    }
}
