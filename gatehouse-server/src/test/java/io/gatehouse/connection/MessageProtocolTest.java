package io.gatehouse.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The message protocol of SPEC §4 and its frame-level rules, against a real server. */
class MessageProtocolTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static RawWebSocket rawConnected(String user) {
        RawWebSocket raw = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For(user));
        assertThat(raw.readFrame(5000).text()).contains("connection_established");
        return raw;
    }

    @Test
    void pingIsAnsweredWithPongEchoingTheId() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"type\":\"ping\",\"id\":42}");
            JsonNode pong = ws.awaitMessage();
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asInt()).isEqualTo(42);
            assertThat(pong.path("timestamp").asLong()).isPositive();
            ws.send("{\"type\":\"ping\",\"id\":\"abc\"}");
            assertThat(ws.awaitMessage().path("id").asText()).isEqualTo("abc");
        }
    }

    @Test
    void malformedJsonGetsBadRequestAndTheConnectionStays() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{not json");
            JsonNode error = ws.awaitMessage();
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(error.path("message").asText()).contains("Malformed JSON");
            ws.send("{\"type\":\"ping\",\"id\":1}");
            assertThat(ws.awaitMessage().path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void missingTypeAndUnknownTypeGetBadRequestEchoingTheId() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"id\":7}");
            JsonNode missing = ws.awaitMessage();
            assertThat(missing.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(missing.path("id").asInt()).isEqualTo(7);
            ws.send("{\"type\":\"teleport\",\"id\":8}");
            JsonNode unknown = ws.awaitMessage();
            assertThat(unknown.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(unknown.path("message").asText()).contains("teleport");
            assertThat(unknown.path("id").asInt()).isEqualTo(8);
            ws.send("[1,2]");
            assertThat(ws.awaitMessage().path("code").asText()).isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void theTenthViolationInAMinuteClosesWith4400() {
        try (WsRecorder ws = server.connectAs("alice")) {
            for (int i = 1; i <= 9; i++) {
                ws.send("nope " + i);
                assertThat(ws.awaitMessage().path("code").asText()).isEqualTo("BAD_REQUEST");
            }
            ws.send("nope 10");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4400, "BAD_REQUEST"));
        }
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() {
        try (WsRecorder ws = server.connectAs("alice")) {
            String big = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
            ws.socket().sendText(big, true);
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(1009, "MESSAGE_TOO_BIG"));
        }
    }

    @Test
    void aFragmentedMessageOverTheLimitClosesWith1009() {
        try (RawWebSocket raw = rawConnected("alice")) {
            byte[] half = "x".repeat(40 * 1024).getBytes(StandardCharsets.UTF_8);
            raw.sendFrame(false, RawWebSocket.TEXT, half).sendFrame(true, 0x0, half);
            RawWebSocket.Frame close = raw.awaitClose(5000);
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(close.closeReason()).isEqualTo("MESSAGE_TOO_BIG");
        }
    }

    @Test
    void aFragmentedMessageUnderTheLimitIsOneMessage() {
        try (RawWebSocket raw = rawConnected("alice")) {
            raw.sendFrame(false, RawWebSocket.TEXT, "{\"type\":\"pi".getBytes(StandardCharsets.UTF_8))
                    .sendFrame(true, 0x0, "ng\",\"id\":5}".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.readFrame(5000).text()).contains("\"pong\"").contains("\"id\":5");
        }
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.socket().sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(1003, "UNSUPPORTED_DATA"));
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        try (RawWebSocket raw = rawConnected("alice")) {
            raw.sendFrame(RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            RawWebSocket.Frame close = raw.awaitClose(5000);
            assertThat(close.closeCode()).isEqualTo(1007);
            assertThat(close.closeReason()).isEqualTo("INVALID_PAYLOAD");
        }
    }

    @Test
    void aClientPingFrameIsAnsweredWithPong() {
        try (RawWebSocket raw = rawConnected("alice")) {
            raw.sendFrame(RawWebSocket.PING, new byte[] {9, 8});
            RawWebSocket.Frame pong = raw.readFrame(5000);
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload()).containsExactly(9, 8);
        }
    }

    @Test
    void aClientCloseIsEchoed() {
        try (RawWebSocket raw = rawConnected("alice")) {
            raw.sendFrame(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8});
            assertThat(raw.awaitClose(5000).closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void authAfterAuthenticationIsABadRequest() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"type\":\"auth\",\"token\":\"x\",\"id\":1}");
            assertThat(ws.awaitMessage().path("code").asText()).isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void refreshWithATokenOfTheSameUserExtendsTheConnection() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"type\":\"refresh\",\"id\":3,\"token\":\"" + Jwts.hs256For("alice") + "\"}");
            JsonNode refreshed = ws.awaitMessage();
            assertThat(refreshed.path("type").asText()).isEqualTo("refreshed");
            assertThat(refreshed.path("id").asInt()).isEqualTo(3);
            assertThat(refreshed.path("expires_at").asText()).isNotBlank();
        }
    }

    @Test
    void refreshWithAnotherUsersTokenClosesWith4401TokenInvalid() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"type\":\"refresh\",\"token\":\"" + Jwts.hs256For("mallory") + "\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }
}
