package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireCodecTest {
    private final WireCodec codec = new WireCodec();
    private static final ChannelName NEWS = ChannelName.parse("news").orElseThrow();
    private static final Instant AT = Instant.parse("2026-12-02T10:15:30.123Z");
    private static final Publication P1 = new Publication("news", 7, "e1", "{\"a\":[1,2]}", AT);
    private static final PresenceClient ALICE = new PresenceClient("c1", "local:alice", "alice", AT);

    @Test
    void everyClientMessageSurvivesTheWire() {
        JsonNode id = new IntNode(4);
        List<ClientMessage> all = List.of(
                new ClientMessage.Auth(null, "tok", "inst-1"),
                new ClientMessage.Auth(new TextNode("a"), "tok", null),
                new ClientMessage.Ping(id),
                new ClientMessage.Subscribe(id, NEWS, null),
                new ClientMessage.Subscribe(id, NEWS, new StreamPosition(3, "e1")),
                new ClientMessage.Unsubscribe(id, NEWS),
                new ClientMessage.Publish(
                        id, NEWS, codec.json().createObjectNode().put("x", 1)),
                new ClientMessage.Refresh(id, "tok2"),
                new ClientMessage.Presence(id, NEWS),
                new ClientMessage.History(id, NEWS, new StreamPosition(0, "e"), 10),
                new ClientMessage.History(null, NEWS, null, ClientMessage.NO_LIMIT),
                new ClientMessage.CancelTask(id, "tsk_abc"),
                new ClientMessage.GetStats(id),
                new ClientMessage.GetStats(null));
        for (ClientMessage m : all) {
            assertThat(codec.readClient(codec.write(m))).as(m.toString()).isEqualTo(m);
        }
    }

    @Test
    void everyServerMessageSurvivesTheWire() {
        JsonNode id = new TextNode("r1");
        StreamPosition at = new StreamPosition(7, "e1");
        List<ServerMessage> all = List.of(
                new ServerMessage.ConnectionEstablished(
                        "c1", new UserInfo("local:alice", "alice", List.of("admin")), AT, 25000, 1234),
                new ServerMessage.ConnectionEstablished("c1", new UserInfo("42", "x", List.of()), null, 25000, 1),
                new ServerMessage.Pong(id, 99),
                new ServerMessage.Subscribed(id, "news", at, true, List.of(P1)),
                ServerMessage.Unsubscribed.reply(id, "news"),
                ServerMessage.Unsubscribed.ended("news", RefusalCode.PERMISSION_DENIED.refusal()),
                new ServerMessage.Published(id, "news", at),
                new ServerMessage.Refreshed(id, AT),
                new ServerMessage.Refreshed(id, null),
                new ServerMessage.Message(P1),
                new ServerMessage.Join("news", ALICE),
                new ServerMessage.Leave("news", ALICE),
                new ServerMessage.TokenExpiring(60000),
                new ServerMessage.Presence(id, "news", List.of(ALICE)),
                new ServerMessage.History(id, "news", List.of(P1), at),
                new ServerMessage.TaskProgress(
                        null, codec.json().createObjectNode().put("id", "tsk_1").put("done", 3)),
                new ServerMessage.TaskProgress(
                        id, codec.json().createObjectNode().put("status", "cancel_requested")),
                new ServerMessage.StatsUpdate(id, "{\"node\":\"n1\",\"history\":[{\"connections\":3}]}"),
                new ServerMessage.StatsUpdate(null, "{\"node\":\"n1\",\"now\":{\"cpu_process\":0.25}}"),
                ServerMessage.Error.of(RefusalCode.TOO_MANY_SUBSCRIPTIONS.refusal(), id));
        for (ServerMessage m : all) {
            assertThat(codec.readServer(codec.encode(m).text()))
                    .as(m.toString())
                    .isEqualTo(m);
        }
    }

    @Test
    void serverMessagesHaveTheDocumentedShape() {
        assertThat(codec.encode(new ServerMessage.Message(P1)).text())
                .isEqualTo("{\"type\":\"message\",\"channel\":\"news\",\"offset\":7,\"epoch\":\"e1\","
                        + "\"data\":{\"a\":[1,2]},\"published_at\":\"2026-12-02T10:15:30.123Z\"}");
        assertThat(codec.encode(new ServerMessage.Subscribed(
                                new IntNode(1), "news", new StreamPosition(7, "e1"), false, List.of()))
                        .text())
                .isEqualTo("{\"type\":\"subscribed\",\"id\":1,\"channel\":\"news\",\"offset\":7,\"epoch\":\"e1\","
                        + "\"recovered\":false,\"publications\":[]}");
        assertThat(codec.encode(ServerMessage.Error.of(RefusalCode.BAD_REQUEST.refusal("no"), null))
                        .text())
                .isEqualTo("{\"type\":\"error\",\"code\":\"BAD_REQUEST\",\"message\":\"no\"}");
        assertThat(codec.encode(new ServerMessage.TaskProgress(
                                null, codec.json().createObjectNode().put("id", "tsk_1")))
                        .text())
                .isEqualTo("{\"type\":\"task_progress\",\"task\":{\"id\":\"tsk_1\"}}");
        assertThat(codec.encode(new ServerMessage.StatsUpdate(new IntNode(2), "{\"node\":\"n1\"}"))
                        .text())
                .isEqualTo("{\"type\":\"stats_update\",\"id\":2,\"data\":{\"node\":\"n1\"}}");
        assertThat(codec.write(new ClientMessage.GetStats(new IntNode(3))))
                .isEqualTo("{\"type\":\"get_stats\",\"id\":3}");
        assertThat(codec.fields(new ServerMessage.Published(new IntNode(1), "news", new StreamPosition(2, "e")))
                        .toString())
                .isEqualTo("{\"channel\":\"news\",\"offset\":2,\"epoch\":\"e\"}");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json|Malformed JSON; send one JSON object per text frame",
                "[1]|A message must be a JSON object with a type",
                "{\"id\":1}|The message has no type",
                "{\"type\":\"pong\"}|Unknown message type 'pong'",
                "{\"type\":\"stats_update\",\"data\":{}}|Unknown message type 'stats_update'",
                "{\"type\":\"subscribe\"}|subscribe needs a channel field",
                "{\"type\":\"subscribe\",\"channel\":\"a b\"}|Channel names are",
                "{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":{\"offset\":-1,\"epoch\":\"e\"}}|since must be",
                "{\"type\":\"history\",\"channel\":\"a\",\"limit\":-1}|limit must be a whole number, 0 or more",
                "{\"type\":\"publish\",\"channel\":\"a\"}|publish needs a data field",
                "{\"type\":\"refresh\",\"token\":\"\"}|refresh needs a token field",
                "{\"type\":\"cancel_task\"}|cancel_task needs a task_id field",
                "{\"type\":\"task_progress\",\"task\":{}}|Unknown message type 'task_progress'",
            })
    void badClientMessagesSayWhatIsWrong(String frame, String hint) {
        assertThatThrownBy(() -> codec.readClient(frame)).isInstanceOfSatisfying(BadMessageException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo(RefusalCode.BAD_REQUEST);
            assertThat(e.refusal().hint()).startsWith(hint);
        });
    }

    @Test
    void aBadMessageKeepsItsIdAndKnownType() {
        assertThatThrownBy(() -> codec.readClient("{\"type\":\"subscribe\",\"id\":\"x\"}"))
                .isInstanceOfSatisfying(BadMessageException.class, e -> {
                    assertThat(e.id()).isEqualTo(new TextNode("x"));
                    assertThat(e.type()).isEqualTo(MessageType.SUBSCRIBE);
                });
        assertThatThrownBy(() -> codec.readClient("{\"type\":\"nope\",\"id\":2}"))
                .isInstanceOfSatisfying(BadMessageException.class, e -> {
                    assertThat(e.id()).isEqualTo(new IntNode(2));
                    assertThat(e.type()).isNull();
                });
    }

    @Test
    void anAuthMessageWithoutTokenIsReadForTheServerToRefuse() {
        assertThat(codec.readClient("{\"type\":\"auth\"}")).isEqualTo(new ClientMessage.Auth(null, null, null));
    }

    @Test
    void anUnknownErrorCodeFromANewerServerReadsAsInternalError() {
        ServerMessage m = codec.readServer("{\"type\":\"error\",\"code\":\"SOMETHING_NEW\",\"message\":\"m\"}");
        assertThat(m).isEqualTo(new ServerMessage.Error(null, RefusalCode.INTERNAL_ERROR, "m"));
    }

    @Test
    void tokensNeverShowInToString() {
        assertThat(new ClientMessage.Auth(null, "secret-token", "i").toString()).doesNotContain("secret");
        assertThat(new ClientMessage.Refresh(null, "secret-token").toString()).doesNotContain("secret");
    }
}
