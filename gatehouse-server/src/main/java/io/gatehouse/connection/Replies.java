package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.Principal;
import io.gatehouse.codec.MessageCodec;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.Recovery;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.MessageType;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Every frame a client connection sends of its own (SPEC §4), built here and nowhere else in this
 * package; {@code id} is the request's, echoed when it had one. Thread-safe.
 */
public final class Replies {
    private final MessageCodec codec;
    private final Clock clock;
    private final Duration heartbeatInterval;

    /** @param heartbeatInterval heartbeat.interval, which connection_established tells the client */
    public Replies(MessageCodec codec, Clock clock, Duration heartbeatInterval) {
        this.codec = codec;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
    }

    EncodedMessage connectionEstablished(String connectionId, Principal p) {
        ObjectNode reply = codec.reply(MessageType.CONNECTION_ESTABLISHED, null);
        reply.put("connection_id", connectionId);
        reply.set("user", codec.user(p.user()));
        reply.put("expires_at", MessageCodec.timestamp(p.expiresAt()));
        reply.put("heartbeat_interval_ms", heartbeatInterval.toMillis());
        reply.put("server_time", clock.millis());
        return codec.encode(reply);
    }

    EncodedMessage pong(JsonNode id) {
        ObjectNode reply = codec.reply(MessageType.PONG, id);
        reply.put("timestamp", clock.millis());
        return codec.encode(reply);
    }

    EncodedMessage error(Refusal refusal, JsonNode id) {
        return codec.error(refusal, id);
    }

    EncodedMessage subscribed(JsonNode id, ChannelName channel, Recovery recovery) {
        ObjectNode reply = codec.reply(MessageType.SUBSCRIBED, id);
        reply.put("channel", channel.value());
        reply.put("offset", recovery.position().offset());
        reply.put("epoch", recovery.position().epoch());
        reply.put("recovered", recovery.recovered());
        ArrayNode publications = reply.putArray("publications");
        recovery.missed().forEach(p -> publications.add(codec.publication(p)));
        return codec.encode(reply);
    }

    EncodedMessage unsubscribed(JsonNode id, ChannelName channel) {
        ObjectNode reply = codec.reply(MessageType.UNSUBSCRIBED, id);
        reply.put("channel", channel.value());
        return codec.encode(reply);
    }

    /** The server ended the subscription: {@code unsubscribed} with the refusal's code and hint. */
    EncodedMessage unsubscribed(String channel, Refusal why) {
        ObjectNode frame = codec.reply(MessageType.UNSUBSCRIBED, null);
        frame.put("channel", channel);
        frame.put("code", why.code().name());
        frame.put("message", why.hint());
        return codec.encode(frame);
    }

    EncodedMessage published(JsonNode id, Publication p) {
        ObjectNode reply = codec.reply(MessageType.PUBLISHED, id);
        reply.put("channel", p.channel());
        reply.put("offset", p.offset());
        reply.put("epoch", p.epoch());
        return codec.encode(reply);
    }

    EncodedMessage history(JsonNode id, ChannelName channel, HistoryPage page) {
        ObjectNode reply = codec.reply(MessageType.HISTORY, id);
        reply.put("channel", channel.value());
        return codec.encode(codec.history(reply, page));
    }

    EncodedMessage presence(JsonNode id, ChannelName channel, List<PresenceClient> clients) {
        ObjectNode reply = codec.reply(MessageType.PRESENCE, id);
        reply.put("channel", channel.value());
        ArrayNode list = reply.putArray("clients");
        clients.forEach(c -> list.add(codec.presenceClient(c)));
        return codec.encode(reply);
    }

    EncodedMessage refreshed(JsonNode id, Instant expiresAt) {
        ObjectNode reply = codec.reply(MessageType.REFRESHED, id);
        reply.put("expires_at", MessageCodec.timestamp(expiresAt));
        return codec.encode(reply);
    }

    EncodedMessage tokenExpiring(Instant expiresAt) {
        ObjectNode m = codec.reply(MessageType.TOKEN_EXPIRING, null);
        m.put(
                "expires_in_ms",
                Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis()));
        return codec.encode(m);
    }
}
