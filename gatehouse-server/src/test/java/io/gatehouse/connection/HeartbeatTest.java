package io.gatehouse.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol-level pings every heartbeat.interval; silence past interval + timeout closes the
 * connection. The intervals are chosen so that what each test tells apart is seconds apart, not a
 * few hundred milliseconds a loaded machine can lose.
 */
class HeartbeatTest {
    /** A connection that says nothing is closed 1.5 s after its last frame; one that answers pings never. */
    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("heartbeat.interval", "300ms").with("heartbeat.timeout", "1200ms");

    static final Duration SILENCE_LIMIT = Duration.ofMillis(1500);

    @Test
    void theServerSendsPingFramesAndClosesAClientThatNeverAnswers() {
        try (RawWebSocket raw = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("mute"))) {
            assertThat(raw.readFrame(5000).text()).contains("connection_established");
            assertThat(raw.readFrame(5000).opcode()).isEqualTo(RawWebSocket.PING);
            RawWebSocket.Frame close = raw.awaitClose(10_000);
            assertThat(close.closeCode()).isEqualTo(4408);
            assertThat(close.closeReason()).isEqualTo("HEARTBEAT_TIMEOUT");
        }
    }

    @Test
    void aSilentConnectionIsClosedIntervalPlusTimeoutAfterItsLastTrafficNotAtTheNextPing() {
        // Silence is measured from the last frame read: closed 4.2 s after the upgrade. A check only
        // at ping ticks would close at 8 s (at 4 s only 4 s were silent). The bound sits between, 1.8 s
        // above the one and 2 s below the other; the lower bound holds whatever the machine does,
        // since the clock starts before the connection does.
        try (TestGatehouse slow = new TestGatehouse()
                .with("heartbeat.interval", "4s")
                .with("heartbeat.timeout", "200ms")
                .start()) {
            long start = System.nanoTime();
            try (RawWebSocket raw = RawWebSocket.connect(slow.ws(), "Authorization: Bearer " + Jwts.hs256For("mute"))) {
                assertThat(raw.readFrame(5000).text()).contains("connection_established");
                RawWebSocket.Frame close = raw.awaitClose(15_000);
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("silent connection closed " + elapsedMillis + " ms after it was opened");
                assertThat(close.closeReason()).isEqualTo("HEARTBEAT_TIMEOUT");
                assertThat(elapsedMillis).isBetween(4200L, 6000L);
            }
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnected() {
        // The JDK client answers pings on its own, like browsers do. Watched for twice the silence
        // limit: a client that did not answer would have been closed by then.
        try (WsRecorder ws = server.connectAs("chatty")) {
            ws.assertQuiet(SILENCE_LIMIT.multipliedBy(2));
            ws.assertAlive();
        }
    }
}
