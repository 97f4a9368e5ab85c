package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.testing.TestGatehouse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java client hands the application's {@code data} of a proxied subscribe to the listener. */
class ClientProxyDataTest {
    @Test
    void theApplicationsSubscribeDataReachesOnSubscribed() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/proxy", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"allow\":true,\"data\":{\"role\":\"member\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        app.start();
        CompletableFuture<String> data = new CompletableFuture<>();
        try (TestGatehouse server = new TestGatehouse()
                        .with(
                                "channels.proxy.url",
                                "http://127.0.0.1:" + app.getAddress().getPort() + "/proxy")
                        .with("channels.proxy.secret", "a-proxy-secret-of-at-least-32-bytes-long")
                        .with("channels.namespaces.room.subscribe", "proxy")
                        .start();
                GatehouseClient client = GatehouseClient.connect(
                        options(server.ws(), TokenProvider.of(Fixtures.jwt("alice")), new Recorder())
                                .build())) {
            client.subscribe("room:1", new SubscriptionListener() {
                        @Override
                        public void onPublication(io.gatehouse.protocol.Publication publication) {}

                        @Override
                        public void onSubscribed(boolean recovered, StreamPosition position, String dataJson) {
                            data.complete(dataJson);
                        }
                    })
                    .get(30, TimeUnit.SECONDS);
            assertThat(data.get(10, TimeUnit.SECONDS)).isEqualTo("{\"role\":\"member\"}");
        } finally {
            app.stop(0);
        }
    }
}
