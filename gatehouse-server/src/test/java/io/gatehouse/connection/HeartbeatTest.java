package io.gatehouse.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Protocol-level pings every heartbeat.interval; silence past interval + timeout closes the connection. */
class HeartbeatTest {
    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("heartbeat.interval", "300ms").with("heartbeat.timeout", "300ms");

    @Test
    void theServerSendsPingFramesAndClosesAClientThatNeverAnswers() {
        try (RawWebSocket raw = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("mute"))) {
            assertThat(raw.readFrame(5000).text()).contains("connection_established");
            assertThat(raw.readFrame(5000).opcode()).isEqualTo(RawWebSocket.PING);
            RawWebSocket.Frame close = raw.awaitClose(5000);
            assertThat(close.closeCode()).isEqualTo(4408);
            assertThat(close.closeReason()).isEqualTo("HEARTBEAT_TIMEOUT");
        }
    }

    @Test
    void aSilentConnectionIsClosedIntervalPlusTimeoutAfterItsLastTrafficNotAtTheNextPing() {
        try (TestGatehouse slow = new TestGatehouse()
                        .with("heartbeat.interval", "1s")
                        .with("heartbeat.timeout", "200ms")
                        .start();
                RawWebSocket raw = RawWebSocket.connect(slow.ws(), "Authorization: Bearer " + Jwts.hs256For("mute"))) {
            long start = System.nanoTime();
            assertThat(raw.readFrame(5000).text()).contains("connection_established");
            RawWebSocket.Frame close = raw.awaitClose(5000);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(close.closeReason()).isEqualTo("HEARTBEAT_TIMEOUT");
            // 1.2 s after the upgrade; a check only at ping ticks would take 2 s
            assertThat(elapsedMillis).isBetween(1000L, 1800L);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnected() {
        // The JDK client answers pings on its own, like browsers do.
        try (WsRecorder ws = server.connectAs("chatty")) {
            ws.assertQuiet(Duration.ofMillis(1500));
            ws.assertAlive();
        }
    }
}
