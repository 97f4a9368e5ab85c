package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link WireCodec#readClient}, the first thing every client text frame meets, and the reply
 * the server then sends. Invariants: a frame either reads as a client message record of a client
 * type or is refused with BAD_REQUEST (nothing else is thrown), a record written back reads and
 * writes again the same, and the reply is valid JSON, echoes the {@code id} and stays within a small multiple of
 * the frame's size. See docs/fuzzing.md.
 */
class WireCodecFuzzTest {
    /** The server's codec, configured as the server configures it. */
    private static final WireCodec CODEC = new WireCodec(new ObjectMapper());
    /** A separate mapper to read replies back, as a client would. */
    private static final ObjectMapper CLIENT = new ObjectMapper();

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void parse(byte[] frame) throws IOException {
        // Netty's Utf8FrameValidator refuses invalid UTF-8 before the codec; decoding replaces it.
        String text = new String(frame, StandardCharsets.UTF_8);
        int frameBytes = text.getBytes(StandardCharsets.UTF_8).length;
        ClientMessage message;
        try {
            message = CODEC.readClient(text);
        } catch (BadMessageException e) {
            assertThat(e.refusal().code()).isEqualTo(RefusalCode.BAD_REQUEST);
            assertThat(e.refusal().hint()).isNotBlank().hasSizeLessThanOrEqualTo(120);
            assertReplyIsBounded(
                    CODEC.encode(ServerMessage.Error.of(e.refusal(), e.id())).utf8(), e.id(), frameBytes);
            return;
        }
        assertThat(message.type().isClientMessage()).isTrue();
        // What a client library writes from the record reads back, and writes again, the same. (Not
        // always the same record: JSON cannot say 1e400 as a number, so such an id comes back a string.)
        String written = CODEC.write(message);
        assertThat(CODEC.write(CODEC.readClient(written))).isEqualTo(written);
        assertReplyIsBounded(
                CODEC.encode(new ServerMessage.Pong(message.id(), 0)).utf8(), message.id(), frameBytes);
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
