package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** limits.connections_per_ip: one host cannot take the process's file descriptors. */
class ConnectionsPerIpTest {
    static Socket open(TestGatehouse server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.gatehouse().port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Everything the server sends until it closes (the connection must be closed by then). */
    static String readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (java.net.SocketException reset) {
            // a reset after the answer: the answer is what counts
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static int openCount(TestGatehouse server) {
        return server.gatehouse().limits().connectionsPerIp().count("127.0.0.1");
    }

    @Test
    void theDefaultIsAThousand() {
        assertThat(io.gatehouse.config.ConfigLoader.defaults().limits().connectionsPerIp())
                .isEqualTo(1000);
    }

    @Test
    void pastTheLimitAConnectionIsAnswered429TooManyConnectionsAndClosed() throws Exception {
        try (TestGatehouse server = new TestGatehouse()
                .with(ConfigKey.LIMITS_CONNECTIONS_PER_IP.key(), 3)
                .start()) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> openCount(server) == 0); // the start's own requests
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(open(server));
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> openCount(server) == 3);
            try (Socket fourth = open(server)) {
                fourth.getOutputStream()
                        .write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                String answer = readToEnd(fourth);
                assertThat(answer).startsWith("HTTP/1.1 429").containsIgnoringCase("retry-after: 5");
                JsonNode body = TestGatehouse.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertThat(body.path("code").asText()).isEqualTo("TOO_MANY_CONNECTIONS");
                assertThat(body.path("hint").asText()).contains("limits.connections_per_ip");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
            held.remove(0).close(); // one slot back
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> openCount(server) == 2);
            try (Socket again = open(server)) {
                again.getOutputStream()
                        .write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                assertThat(readToEnd(again)).startsWith("HTTP/1.1 200");
            }
            for (Socket s : held) {
                s.close();
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> openCount(server) == 0); // room for the next request
            assertThat(server.get("/metrics").raw().body())
                    .contains("gatehouse_limited_total{limit=\"connections_per_ip\"}");
        }
    }

    @Test
    void threeThousandSilentSocketsFromOneHostHoldAtMostTheLimitAndNoneForLong() throws Exception {
        // Defaults but a shorter request timeout: 3,000 sockets that never say a word.
        try (TestGatehouse server = new TestGatehouse()
                .with(ConfigKey.SERVER_REQUEST_TIMEOUT.key(), "2s")
                .start()) {
            java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    most.accumulateAndGet(openCount(server), Math::max);
                    Thread.onSpinWait();
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            List<Socket> sockets = new ArrayList<>();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 3000; i++) {
                    sockets.add(open(server));
                }
                int refused = 0;
                for (Socket s : sockets) { // every one is answered 429 or closed by the request timeout
                    if (readToEnd(s).startsWith("HTTP/1.1 429")) {
                        refused++;
                    }
                }
                Duration allClosed = Duration.ofNanos(System.nanoTime() - start);
                watching.set(false);
                watcher.join();
                System.out.println("3,000 silent sockets: at most " + most.get() + " held at once, " + refused
                        + " answered 429, all closed after " + allClosed.toMillis() + " ms");
                assertThat(most.get()).as("connections held at once").isBetween(1, 1000);
                assertThat(refused).as("answered 429 TOO_MANY_CONNECTIONS").isGreaterThanOrEqualTo(1000);
                assertThat(allClosed).as("every socket closed").isLessThan(Duration.ofSeconds(30));
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> openCount(server) == 0);
            } finally {
                watching.set(false);
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void behindATrustedProxyWebSocketsAreCountedPerResolvedClientIp() {
        try (TestGatehouse server = new TestGatehouse()
                .with(ConfigKey.SERVER_TRUSTED_PROXIES.key(), List.of("127.0.0.0/8"))
                .with(ConfigKey.LIMITS_CONNECTIONS_PER_IP.key(), 2)
                .start()) {
            List<WsRecorder> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                WsRecorder ws = server.connectWith(Jwts.hs256For("office" + i), "X-Forwarded-For", "203.0.113.7");
                open.add(ws);
            }
            WsRecorder.HandshakeRefused refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> WsRecorder.connect(
                            server.ws(),
                            "Authorization",
                            "Bearer " + Jwts.hs256For("office2"),
                            "X-Forwarded-For",
                            "203.0.113.7"),
                    WsRecorder.HandshakeRefused.class);
            assertThat(refused.status).isEqualTo(429);
            // Another client behind the same proxy is not affected.
            server.connectWith(Jwts.hs256For("home"), "X-Forwarded-For", "198.51.100.9")
                    .close(); // connection_established came
            open.remove(0).close();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> server.gatehouse().limits().connectionsPerIp().count("203.0.113.7") == 1);
            server.connectWith(Jwts.hs256For("office3"), "X-Forwarded-For", "203.0.113.7")
                    .close(); // connection_established came
            open.forEach(WsRecorder::close);
        }
    }
}
