package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.codec.MessageCodec;
import io.gatehouse.codec.ParsedMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link MessageCodec#parse}, the first thing every client text frame meets, and the error
 * reply the server then sends. Invariants: a frame either parses to a client message type or is
 * refused with BAD_REQUEST (nothing else is thrown), and the reply is valid JSON, echoes the
 * {@code id} and stays within a small multiple of the frame's size. See docs/fuzzing.md.
 */
class MessageCodecFuzzTest {
    /** The server's codec, configured as Gatehouse.start configures it. */
    private static final MessageCodec CODEC = new MessageCodec(new ObjectMapper());
    /** A separate mapper to read replies back, as a client would. */
    private static final ObjectMapper CLIENT = new ObjectMapper();

    private static final Set<MessageType> CLIENT_TYPES = EnumSet.of(
            MessageType.AUTH,
            MessageType.PING,
            MessageType.SUBSCRIBE,
            MessageType.UNSUBSCRIBE,
            MessageType.PUBLISH,
            MessageType.REFRESH,
            MessageType.PRESENCE,
            MessageType.HISTORY);

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void parse(byte[] frame) throws IOException {
        // Netty's Utf8FrameValidator refuses invalid UTF-8 before the codec; decoding replaces it.
        String text = new String(frame, StandardCharsets.UTF_8);
        int frameBytes = text.getBytes(StandardCharsets.UTF_8).length;
        ParsedMessage message;
        try {
            message = CODEC.parse(text);
        } catch (BadMessageException e) {
            assertThat(e.refusal().code()).isEqualTo(RefusalCode.BAD_REQUEST);
            assertThat(e.refusal().hint()).isNotBlank().hasSizeLessThanOrEqualTo(120);
            assertReplyIsBounded(CODEC.error(e.refusal(), e.id()).utf8(), e.id(), frameBytes);
            return;
        }
        assertThat(CLIENT_TYPES).contains(message.type());
        assertThat(message.body()).isNotNull();
        assertThat(message.body().get("type").asText()).isEqualTo(message.type().wireName());
        // What the handlers read next must not throw on any shape of field.
        for (String field : new String[] {"channel", "token", "since", "data", "limit"}) {
            message.text(field);
            message.field(field);
        }
        assertReplyIsBounded(
                CODEC.encode(CODEC.reply(MessageType.PONG, message.id())).utf8(), message.id(), frameBytes);
    }

    private static void assertReplyIsBounded(byte[] reply, JsonNode id, int frameBytes) throws IOException {
        // The id is echoed as sent (re-serialised), so a reply may grow with the frame, but only linearly.
        assertThat(reply.length).isLessThanOrEqualTo(4 * frameBytes + 1024);
        JsonNode parsed = CLIENT.readTree(reply);
        assertThat(parsed.isObject()).isTrue();
        assertThat(parsed.path("type").isTextual()).isTrue();
        if (id != null && !id.isNull()) {
            assertThat(parsed.has("id")).isTrue();
        }
    }
}
