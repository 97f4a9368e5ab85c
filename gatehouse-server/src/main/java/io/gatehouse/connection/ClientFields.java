package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.codec.ParsedMessage;
import io.gatehouse.protocol.BadMessageException;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import java.util.Optional;

/**
 * The fields of client messages (SPEC §4), read and checked: the one place this package looks
 * inside a {@link ParsedMessage}. A missing or malformed field throws {@link BadMessageException}
 * BAD_REQUEST with a hint, which the connection answers as a violation.
 */
final class ClientFields {
    private ClientFields() {}

    /** {@code channel}, a valid channel name. */
    static ChannelName channel(ParsedMessage m) {
        String raw = m.text("channel");
        if (raw == null) {
            throw bad(m.type().wireName() + " needs a channel field", m);
        }
        Optional<ChannelName> channel = ChannelName.parse(raw);
        if (channel.isEmpty()) {
            throw bad(ChannelName.grammarHint(), m);
        }
        return channel.get();
    }

    /** The optional {@code since} {offset, epoch} of subscribe and history; null when absent. */
    static StreamPosition since(ParsedMessage m) {
        JsonNode since = m.field("since");
        if (since == null || since.isNull()) {
            return null;
        }
        JsonNode offset = since.get("offset");
        JsonNode epoch = since.get("epoch");
        if (offset == null
                || !offset.canConvertToLong()
                || !offset.isIntegralNumber()
                || offset.asLong() < 0
                || epoch == null
                || !epoch.isTextual()) {
            throw bad(
                    "since must be {\"offset\": N, \"epoch\": \"...\"}, as the last subscribed or message frame gave them",
                    m);
        }
        return new StreamPosition(offset.asLong(), epoch.asText());
    }

    /** The optional {@code limit} of history; {@link Integer#MAX_VALUE} when absent. */
    static int limit(ParsedMessage m) {
        JsonNode limit = m.field("limit");
        if (limit == null || limit.isNull()) {
            return Integer.MAX_VALUE;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.asInt() < 0) {
            throw bad("limit must be a whole number, 0 or more", m);
        }
        return limit.asInt();
    }

    /** {@code data} of publish, any JSON value, as JSON text. */
    static String data(ParsedMessage m) {
        JsonNode data = m.field("data");
        if (data == null) {
            throw bad("publish needs a data field", m);
        }
        return data.toString();
    }

    /** {@code token} of auth and refresh; null when missing or empty (what that means is the caller's). */
    static String token(ParsedMessage m) {
        String token = m.text("token");
        return token == null || token.isEmpty() ? null : token;
    }

    static BadMessageException bad(String hint, ParsedMessage m) {
        return bad(hint, m.id());
    }

    static BadMessageException bad(String hint, JsonNode id) {
        return new BadMessageException(RefusalCode.BAD_REQUEST.refusal(hint), id);
    }
}
