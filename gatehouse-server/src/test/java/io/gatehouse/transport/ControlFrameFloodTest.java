package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ping and pong frames count like messages, an unauthenticated connection is held to 64 KiB a
 * message and 10 MiB in all, and a flood is closed with its code.
 */
class ControlFrameFloodTest {
    static final byte[] PINGS = PingFloodTest.pings(64);

    @Test
    void pingFramesCountAgainstMessagesPerConnection() {
        try (TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION.key(), Map.of("rate", 1, "burst", 5))
                        .start();
                RawWebSocket ws =
                        RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("pinger"))) {
            assertThat(ws.handshakeResponse()).startsWith("HTTP/1.1 101");
            for (int i = 0; i < 10; i++) {
                ws.sendFrame(RawWebSocket.PING, new byte[] {(byte) i});
            }
            RawWebSocket.Frame close = ws.awaitClose(5000);
            assertThat(close.closeCode()).isEqualTo(4429);
            assertThat(close.closeReason()).startsWith("RATE_LIMITED retry_after_ms=");
        }
    }

    @Test
    void pongFramesCountToo() {
        try (TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION.key(), Map.of("rate", 1, "burst", 5))
                        .start();
                RawWebSocket ws =
                        RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("ponger"))) {
            for (int i = 0; i < 10; i++) {
                ws.sendFrame(RawWebSocket.PONG, new byte[0]);
            }
            assertThat(ws.awaitClose(5000).closeCode()).isEqualTo(4429);
        }
    }

    @Test
    void anUnauthenticatedConnectionThatSendsTenMebibytesIsClosedWithinASecond() throws Exception {
        // Even with the message limit out of the way, what an unauthenticated client may send is
        // bounded. The client reads its pongs, keeps a small send buffer and sends at a steady
        // 2 MiB/s that the server keeps up with, so what it has sent is what the server has read,
        // and the time measured is the server's, not a backlog's in the sockets.
        try (TestGatehouse server = new TestGatehouse()
                        .with(
                                ConfigKey.LIMITS_MESSAGES_PER_CONNECTION.key(),
                                Map.of("rate", 1_000_000, "burst", 1_000_000))
                        .with(ConfigKey.AUTH_TIMEOUT.key(), "60s")
                        .start();
                RawWebSocket ws = RawWebSocket.connect(server.ws(), 16 * 1024)) {
            assertThat(ws.handshakeResponse()).startsWith("HTTP/1.1 101");
            java.util.concurrent.CompletableFuture<RawWebSocket.Frame> closeFrame =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> ws.awaitClose(60_000));
            long sent = 0;
            long tenMiBSentAt = 0;
            long began = System.nanoTime();
            long bytesPerSecond = 2L * 1024 * 1024;
            try {
                while (!closeFrame.isDone()) {
                    ws.sendBytes(PINGS);
                    sent += PINGS.length;
                    long due = began + sent * 1_000_000_000L / bytesPerSecond;
                    long early = due - System.nanoTime();
                    if (early > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(early);
                    }
                    if (tenMiBSentAt == 0 && sent > PreAuthLimit.MAX_TOTAL_BYTES) {
                        tenMiBSentAt = System.nanoTime();
                    }
                    if (sent > 100L * 1024 * 1024) {
                        throw new AssertionError("100 MiB accepted without authenticating");
                    }
                }
            } catch (UncheckedIOException closed) {
                // the server dropped the connection
            }
            RawWebSocket.Frame close = closeFrame.get(10, java.util.concurrent.TimeUnit.SECONDS);
            long closedAfterMillis = (System.nanoTime() - tenMiBSentAt) / 1_000_000;
            assertThat(tenMiBSentAt).as("the server took more than 10 MiB").isNotZero();
            assertThat(close.closeCode()).isEqualTo(4429);
            assertThat(close.closeReason()).startsWith("RATE_LIMITED");
            System.out.println(
                    "10 MiB before authenticating: closed " + closedAfterMillis + " ms after the 10th MiB was sent");
            assertThat(closedAfterMillis)
                    .as("closed within 1 s of the 10th MiB")
                    .isLessThan(1000);
        }
    }

    @Test
    void anUnauthenticatedMessageIsLimitedTo64KiBThoughLargerOnesAreAllowedAfterAuthentication() throws IOException {
        try (TestGatehouse server = new TestGatehouse()
                .with(ConfigKey.LIMITS_MAX_MESSAGE_BYTES.key(), "1MiB")
                .start()) {
            String big = "{\"type\":\"auth\",\"token\":\"" + "x".repeat(70 * 1024) + "\"}";
            try (RawWebSocket ws = RawWebSocket.connect(server.ws())) {
                ws.sendText(big);
                RawWebSocket.Frame close = ws.awaitClose(5000);
                assertThat(close.closeCode()).isEqualTo(1009);
                assertThat(close.closeReason()).isEqualTo("MESSAGE_TOO_BIG");
            }
            try (RawWebSocket ws = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("big"))) {
                assertThat(ws.readFrame(5000).text()).contains("connection_established");
                ws.sendText("{\"type\":\"ping\",\"id\":\"" + "y".repeat(200 * 1024) + "\"}");
                RawWebSocket.Frame pong = ws.readFrame(5000);
                assertThat(pong.text()).contains("\"type\":\"pong\"");
            }
        }
    }
}
