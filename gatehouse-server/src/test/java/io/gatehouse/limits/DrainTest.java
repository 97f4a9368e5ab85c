package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class DrainTest {
    @Test
    void whileDrainingNewUpgradesGet503ServerShuttingDown() throws Exception {
        TestGatehouse server = new TestGatehouse().with("shutdown.drain", "4s").start();
        // Two open connections: one is closed at once, the other half-way through the drain window.
        WsRecorder first = server.connectAs("a");
        WsRecorder second = server.connectAs("b");
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> server.gatehouse().lifecycle().isShuttingDown());
        try (RawWebSocket late =
                RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("c"), "Connection: close")) {
            assertThat(late.handshakeResponse()).startsWith("HTTP/1.1 503");
            JsonNode body = TestGatehouse.JSON.readTree(late.readToEnd(5000));
            assertThat(body.path("code").asText()).isEqualTo("SERVER_SHUTTING_DOWN");
        }
        assertThat(first.awaitClose().reason()).startsWith("SERVER_SHUTTING_DOWN retry_after_ms=");
        assertThat(second.awaitClose().reason()).startsWith("SERVER_SHUTTING_DOWN retry_after_ms=");
        stopping.get();
        first.close();
        second.close();
    }
}
