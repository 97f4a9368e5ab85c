package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.Principal;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.Recovery;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Every frame a client connection sends of its own (SPEC §4), as the protocol's
 * {@link ServerMessage} records, encoded by the one {@link WireCodec}; {@code id} is the request's,
 * echoed when it had one. Thread-safe.
 *
 * @param heartbeatInterval heartbeat.interval, which connection_established tells the client
 */
public record Replies(WireCodec codec, Clock clock, Duration heartbeatInterval) {
    EncodedMessage connectionEstablished(String connectionId, Principal p) {
        return codec.encode(new ServerMessage.ConnectionEstablished(
                connectionId, p.user().info(), p.expiresAt(), heartbeatInterval.toMillis(), clock.millis()));
    }

    EncodedMessage pong(JsonNode id) {
        return codec.encode(new ServerMessage.Pong(id, clock.millis()));
    }

    EncodedMessage error(Refusal refusal, JsonNode id) {
        return codec.encode(ServerMessage.Error.of(refusal, id));
    }

    EncodedMessage subscribed(JsonNode id, ChannelName channel, Recovery recovery) {
        return subscribed(id, channel, recovery, null);
    }

    /** With the application's {@code data} for a proxied subscription, when it gave some. */
    EncodedMessage subscribed(JsonNode id, ChannelName channel, Recovery recovery, String dataJson) {
        return codec.encode(new ServerMessage.Subscribed(
                id, channel.value(), recovery.position(), recovery.recovered(), recovery.missed(), dataJson));
    }

    EncodedMessage unsubscribed(JsonNode id, ChannelName channel) {
        return codec.encode(ServerMessage.Unsubscribed.reply(id, channel.value()));
    }

    /** The server ended the subscription: {@code unsubscribed} with the refusal's code and hint. */
    EncodedMessage unsubscribed(String channel, Refusal why) {
        return codec.encode(ServerMessage.Unsubscribed.ended(channel, why));
    }

    EncodedMessage published(JsonNode id, Publication p) {
        return codec.encode(new ServerMessage.Published(id, p.channel(), p.position()));
    }

    EncodedMessage history(JsonNode id, ChannelName channel, HistoryPage page) {
        return codec.encode(new ServerMessage.History(id, channel.value(), page.publications(), page.position()));
    }

    EncodedMessage presence(JsonNode id, ChannelName channel, List<PresenceClient> clients) {
        return codec.encode(new ServerMessage.Presence(id, channel.value(), clients));
    }

    EncodedMessage refreshed(JsonNode id, Instant expiresAt) {
        return codec.encode(new ServerMessage.Refreshed(id, expiresAt));
    }

    EncodedMessage tokenExpiring(Instant expiresAt) {
        return codec.encode(new ServerMessage.TokenExpiring(
                Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis())));
    }
}
