package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.tools.GatehouseTools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gatehouse bench} against the peers themselves, as docs/benchmarks.md runs it: fanout
 * with {@code --protocol socketio} against the Socket.IO peer and with the default protocol
 * against the Netty peer, small enough for a test, every delivery checked. Needs Node.js, npm
 * and Java; fails, not skips, without them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchAgainstPeersTest {
    record Result(int exit, String out, String err) {}

    @Test
    void fanoutWithTheSocketIoProtocolDeliversEveryPublicationFromTheSocketIoPeer() throws Exception {
        try (PeerProcess peer = PeerProcess.node("socketio")) {
            Result r = fanout(peer, "--protocol", "socketio");

            assertThat(r.exit()).as(r.out() + r.err() + peer.output()).isZero();
            assertThat(r.out()).contains("50 of 50 connections established", "PASSED");
        }
    }

    @Test
    void aSocketIoRefusalFailsTheRunWithItsConnectError() throws Exception {
        try (PeerProcess peer = PeerProcess.node("socketio")) {
            Result r = run(
                    "bench",
                    "connect",
                    "--protocol",
                    "socketio",
                    "--url",
                    peer.url(),
                    "--secret",
                    "another-secret-that-is-at-least-32-bytes!",
                    "--connections",
                    "3",
                    "--warmup-connections",
                    "0");

            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out())
                    .contains(
                            "failed x3: refused or closed by the server: 44{\"message\":\"TOKEN_INVALID\"",
                            "FAILED: 3 of 3 handshakes failed");
        }
    }

    @Test
    void fanoutDeliversEveryPublicationFromTheNettyPeer() throws Exception {
        try (PeerProcess peer = PeerProcess.netty()) {
            Result r = fanout(peer);

            assertThat(r.exit()).as(r.out() + r.err() + peer.output()).isZero();
            assertThat(r.out()).contains("50 of 50 connections established", "PASSED");
        }
    }

    @Test
    void anUnknownProtocolIsAUsageError() {
        Result r = run("bench", "idle", "--protocol", "mqtt", "--secret", PeerProcess.SECRET);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--protocol must be one of gatehouse, socketio");
    }

    /** 50 subscribers, 5 publications a second: 0.5 s of warm-up, 2 s measured, every delivery checked. */
    private static Result fanout(PeerProcess peer, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "fanout",
                "--url",
                peer.url(),
                "--pid",
                Long.toString(peer.pid()),
                "--secret",
                PeerProcess.SECRET,
                "--api-key",
                PeerProcess.API_KEY,
                "--subscribers",
                "50",
                "--publications-per-second",
                "5",
                "--warmup",
                "500ms",
                "--duration",
                "2s"));
        args.addAll(List.of(extra));
        Result r = run(args.toArray(String[]::new));
        // 13 publications (3 warm-up, 10 measured) to each of 50 subscribers.
        assertThat(r.out()).as(r.out() + r.err()).contains("deliveries: 650 of 650, lost 0, duplicates 0");
        return r;
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseTools.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
