package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.bench.BenchProtocol.Frame;
import io.gatehouse.protocol.ChannelName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What each protocol sends and how it tells the server's frames apart (the runs: BenchAgainstPeersTest). */
class BenchProtocolTest {
    private static final BenchTarget TARGET = BenchTarget.parse("http://127.0.0.1:8090");

    @Test
    void socketIoUpgradesOnItsPathAndConnectsWithTheTokenAsAuthPayload() {
        assertThat(BenchProtocol.SOCKETIO.webSocketUri(TARGET, "a.b+c"))
                .hasToString("ws://127.0.0.1:8090/socket.io/?EIO=4&transport=websocket&token=a.b%2Bc");
        assertThat(BenchProtocol.GATEHOUSE.webSocketUri(TARGET, "a.b.c"))
                .hasToString("ws://127.0.0.1:8090/ws?token=a.b.c");
        assertThat(BenchProtocol.SOCKETIO.connect("x\"y")).isEqualTo("40{\"token\":\"x\\\"y\"}");
        assertThat(BenchProtocol.SOCKETIO.subscribe(ChannelName.parse("bench").orElseThrow()))
                .isEqualTo("42[\"subscribe\",{\"channel\":\"bench\"}]");
        assertThat(BenchProtocol.SOCKETIO.pong()).isEqualTo("3");
    }

    @Test
    void socketIoFramesAreToldApartByTheirPacketTypes() {
        assertThat(socketIo("0{\"sid\":\"s\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}"))
                .isEqualTo(Frame.OPENED);
        assertThat(socketIo("40{\"sid\":\"abc\"}")).isEqualTo(Frame.ESTABLISHED);
        assertThat(socketIo("42[\"connection_established\",{\"type\":\"connection_established\"}]"))
                .isEqualTo(Frame.IGNORED);
        assertThat(socketIo("42[\"subscribed\",{\"type\":\"subscribed\",\"channel\":\"bench\"}]"))
                .isEqualTo(Frame.SUBSCRIBED);
        assertThat(socketIo("2")).isEqualTo(Frame.PING);
        assertThat(socketIo("44{\"message\":\"TOKEN_INVALID\",\"data\":{\"code\":\"TOKEN_INVALID\"}}"))
                .isEqualTo(Frame.FAILED);
        assertThat(socketIo("42[\"error\",{\"code\":\"BAD_REQUEST\"}]")).isEqualTo(Frame.FAILED);
        assertThat(socketIo("41")).isEqualTo(Frame.FAILED);
        assertThat(socketIo("1")).isEqualTo(Frame.FAILED);
        assertThat(socketIo("6")).isEqualTo(Frame.IGNORED);
        assertThat(socketIo("")).isEqualTo(Frame.IGNORED);
    }

    @Test
    void gatehouseFramesAreToldApartByTheirTypeField() {
        assertThat(gatehouse("{\"type\":\"connection_established\",\"connection_id\":\"c\"}"))
                .isEqualTo(Frame.ESTABLISHED);
        assertThat(gatehouse("{\"type\":\"subscribed\",\"channel\":\"bench\"}")).isEqualTo(Frame.SUBSCRIBED);
        assertThat(gatehouse("{\"type\":\"error\",\"code\":\"BAD_REQUEST\"}")).isEqualTo(Frame.MESSAGE);
    }

    @Test
    void aSocketIoPublicationIsReadWithoutAParseAsAGatehouseOneIs() {
        BenchPayload.Reader reader = new BenchPayload.Reader();
        String message = "{\"type\":\"message\",\"channel\":\"bench\",\"offset\":12,\"epoch\":\"e\",\"data\":"
                + BenchPayload.json(7, 123456789, 100) + ",\"published_at\":\"2026-12-02T00:00:00Z\"}";

        assertThat(reader.read(buffer("42[\"message\"," + message + "]"))).isTrue();
        assertThat(reader.seq()).isEqualTo(7);
        assertThat(reader.sentNanos()).isEqualTo(123456789);
        assertThat(reader.read(buffer(message))).isTrue();
        assertThat(reader.read(buffer("40{\"sid\":\"abc\"}"))).isFalse();
    }

    @Test
    void anUnknownProtocolNameIsRefusedWithTheChoices() {
        assertThat(BenchProtocol.parse("socketio")).isEqualTo(BenchProtocol.SOCKETIO);
        assertThatThrownBy(() -> BenchProtocol.parse("SocketIO"))
                .hasMessage("--protocol must be one of gatehouse, socketio");
    }

    private static Frame socketIo(String text) {
        return BenchProtocol.SOCKETIO.recognise(buffer(text));
    }

    private static Frame gatehouse(String text) {
        return BenchProtocol.GATEHOUSE.recognise(buffer(text));
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
