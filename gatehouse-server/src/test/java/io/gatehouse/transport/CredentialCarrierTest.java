package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each credential carrier of SPEC §2, end to end with the JDK WebSocket client. */
class CredentialCarrierTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("auth.timeout", "500ms");

    private static void assertEstablishedAs(WsRecorder ws, String userId) {
        JsonNode hello = ws.awaitType("connection_established");
        assertThat(hello.path("user").path("id").asText()).isEqualTo(userId);
        assertThat(hello.path("connection_id").asText()).isNotEmpty();
        assertThat(hello.path("heartbeat_interval_ms").asLong()).isEqualTo(25_000);
        assertThat(hello.path("server_time").asLong()).isPositive();
        assertThat(hello.path("expires_at").asText()).isNotEmpty();
    }

    @Test
    void authorizationBearerHeaderAuthenticates() {
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("alice"))) {
            assertEstablishedAs(ws, "alice");
        }
    }

    @Test
    void subprotocolCarrierAuthenticatesAndTheServerAnswersOnlyTheProtocolName() {
        String token = Jwts.hs256For("bob");
        try (WsRecorder ws =
                WsRecorder.connectOffering(server.ws(), new String[] {"gatehouse.v1", "gatehouse.bearer." + token})) {
            assertEstablishedAs(ws, "bob");
            assertThat(ws.subprotocol()).isEqualTo("gatehouse.v1");
        }
    }

    @Test
    void subprotocolResponseHeaderNeverEchoesTheToken() {
        String token = server.opaqueToken("carol");
        try (RawWebSocket raw =
                RawWebSocket.connect(server.ws(), "Sec-WebSocket-Protocol: gatehouse.v1, gatehouse.bearer." + token)) {
            assertThat(raw.handshakeResponse())
                    .contains("101")
                    .containsIgnoringCase("sec-websocket-protocol: gatehouse.v1")
                    .doesNotContain(token)
                    .doesNotContain("gatehouse.bearer");
        }
    }

    @Test
    void aBearerOnlySubprotocolOfferAuthenticatesWithNoProtocolAnswered() {
        String token = server.opaqueToken("carl");
        try (RawWebSocket raw =
                RawWebSocket.connect(server.ws(), "Sec-WebSocket-Protocol: gatehouse.bearer." + token)) {
            assertThat(raw.handshakeResponse()).contains("101").doesNotContainIgnoringCase("sec-websocket-protocol");
            assertThat(raw.readFrame(5000).text())
                    .contains("connection_established")
                    .contains("\"carl\"");
        }
    }

    @Test
    void anEmptyBearerSubprotocolClosesWith4401TokenInvalid() {
        try (RawWebSocket raw =
                RawWebSocket.connect(server.ws(), "Sec-WebSocket-Protocol: gatehouse.v1, gatehouse.bearer.")) {
            RawWebSocket.Frame close = raw.awaitClose(5000);
            assertThat(close.closeCode()).isEqualTo(4401);
            assertThat(close.closeReason()).isEqualTo("TOKEN_INVALID");
        }
    }

    @Test
    void queryTokenAuthenticatesAndUnknownParametersAreIgnored() {
        String token = URLEncoder.encode(server.opaqueToken("dave"), StandardCharsets.UTF_8);
        try (WsRecorder ws = WsRecorder.connect(server.ws("_t=123&foo=bar&token=" + token))) {
            assertEstablishedAs(ws, "dave");
        }
    }

    @Test
    void firstMessageAuthAuthenticates() {
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            ws.send("{\"type\":\"auth\",\"token\":\"" + Jwts.hs256For("erin") + "\"}");
            assertEstablishedAs(ws, "erin");
        }
    }

    @Test
    void headerWinsOverQueryToken() {
        String header = Jwts.hs256For("frank");
        try (WsRecorder ws = WsRecorder.connect(server.ws("token=garbage"), "Authorization", "Bearer " + header)) {
            assertEstablishedAs(ws, "frank");
        }
    }

    @Test
    void noAuthMessageWithinAuthTimeoutClosesWith4408AuthTimeout() {
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4408, "AUTH_TIMEOUT"));
        }
    }

    @Test
    void anotherMessageBeforeAuthClosesWith4401TokenMissing() {
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            ws.send("{\"type\":\"subscribe\",\"channel\":\"news\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_MISSING"));
        }
    }

    @Test
    void authMessageWithoutTokenClosesWith4401TokenMissing() {
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            ws.send("{\"type\":\"auth\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_MISSING"));
        }
    }

    @Test
    void invalidTokenInAuthMessageClosesWith4401TokenInvalid() {
        try (WsRecorder ws = WsRecorder.connect(server.ws())) {
            ws.send("{\"type\":\"auth\",\"token\":\"nonsense\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }

    @Test
    void nonBearerAuthorizationHeaderClosesWith4401TokenInvalid() {
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Basic YWxpY2U6cHc=")) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }

    @Test
    void unknownOpaqueTokenClosesWith4401TokenInvalid() {
        String forged = "ght_" + "A".repeat(43);
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + forged)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }

    @Test
    void plainHttpGetOnTheWebSocketPathIsABadRequestWithACode() {
        TestGatehouse.Reply r = server.get("/ws");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
    }
}
