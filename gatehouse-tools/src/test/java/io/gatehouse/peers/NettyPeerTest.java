package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Netty benchmark peer, bench/peers/netty/NettyPeer.java run by the source launcher as its
 * README says, speaks the part of the Gatehouse protocol the bench uses: connection_established
 * on upgrade (any ?token=), subscribe, ping, and POST /api/v1/publish behind the API key,
 * delivered to every subscriber. Fails, not skips, without Java's launcher.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyPeerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static PeerProcess peer;

    @BeforeAll
    static void start() throws Exception {
        peer = PeerProcess.netty();
    }

    @AfterAll
    static void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void itUsesEpollOnLinux() {
        assertThat(peer.output()).contains("(epoll)");
    }

    @Test
    void aConnectionIsEstablishedSubscribesAndReceivesEveryPublication() throws Exception {
        Client a = Client.open("token=anything");
        Client b = Client.open("token=x");
        JsonNode hello = a.next();
        assertThat(hello.get("type").asText()).isEqualTo("connection_established");
        assertThat(hello.get("connection_id").asText()).isNotEmpty();
        assertThat(hello.get("user").get("id").asText()).isNotEmpty();
        assertThat(hello.get("heartbeat_interval_ms").asInt()).isEqualTo(25_000);
        b.next();

        a.send("{\"type\":\"ping\",\"id\":7}");
        JsonNode pong = a.next();
        assertThat(pong.get("type").asText()).isEqualTo("pong");
        assertThat(pong.get("id").asInt()).isEqualTo(7);

        for (Client c : new Client[] {a, b}) {
            c.send("{\"type\":\"subscribe\",\"channel\":\"netty-test\",\"id\":\"s\"}");
            JsonNode subscribed = c.next();
            assertThat(subscribed.get("type").asText()).isEqualTo("subscribed");
            assertThat(subscribed.get("channel").asText()).isEqualTo("netty-test");
            assertThat(subscribed.get("id").asText()).isEqualTo("s");
            assertThat(subscribed.get("offset").asLong()).isZero();
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();
            assertThat(subscribed.get("publications")).isEmpty();
        }

        for (int n = 1; n <= 3; n++) {
            HttpResponse<String> answer =
                    publish("apikey " + PeerProcess.API_KEY, "{\"channel\":\"netty-test\",\"data\":{\"n\":" + n + "}}");
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.get("channel").asText()).isEqualTo("netty-test");
            assertThat(body.get("offset").asLong()).isEqualTo(n);
            for (Client c : new Client[] {a, b}) {
                JsonNode message = c.next();
                assertThat(message.get("type").asText()).isEqualTo("message");
                assertThat(message.get("offset").asLong()).isEqualTo(n);
                assertThat(message.get("epoch").asText())
                        .isEqualTo(body.get("epoch").asText());
                assertThat(message.get("data").get("n").asInt()).isEqualTo(n);
                assertThat(message.get("published_at").asText()).isNotEmpty();
            }
        }
        a.close();
        b.close();
    }

    @Test
    void publishingNeedsTheApiKeyAndAChannel() throws Exception {
        String body = "{\"channel\":\"c\",\"data\":1}";
        HttpResponse<String> missing = publish(null, body);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("TOKEN_MISSING");
        HttpResponse<String> wrong = publish("apikey not-the-key", body);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).get("code").asText()).isEqualTo("TOKEN_INVALID");
        assertThat(publish("apikey " + PeerProcess.API_KEY, "{\"data\":1}").statusCode())
                .isEqualTo(400);
        assertThat(publish("apikey " + PeerProcess.API_KEY, "not json").statusCode())
                .isEqualTo(400);
        HttpResponse<String> health = HTTP.send(
                HttpRequest.newBuilder(URI.create(peer.url() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> publish(String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(peer.url() + "/api/v1/publish"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A WebSocket client whose text messages queue up until {@link #next} takes them. */
    private record Client(WebSocket socket, BlockingQueue<String> frames) {
        static Client open(String query) {
            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            WebSocket socket = HTTP.newWebSocketBuilder()
                    .buildAsync(
                            URI.create(peer.url().replace("http:", "ws:") + "/ws?" + query), new WebSocket.Listener() {
                                private final StringBuilder text = new StringBuilder();

                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    text.append(data);
                                    if (last) {
                                        frames.add(text.toString());
                                        text.setLength(0);
                                    }
                                    ws.request(1);
                                    return null;
                                }
                            })
                    .join();
            return new Client(socket, frames);
        }

        JsonNode next() throws Exception {
            String frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return JSON.readTree(frame);
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
    }
}
