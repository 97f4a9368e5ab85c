package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchPayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void dataIsValidJsonOfTheAskedSizeWithItsNumbers() throws Exception {
        String data = BenchPayload.json(7, 123_456_789_012L, 300);

        assertThat(data.getBytes(StandardCharsets.UTF_8)).hasSize(300);
        JsonNode node = JSON.readTree(data);
        assertThat(node.get("seq").asLong()).isEqualTo(7);
        assertThat(node.get("sent_ns").asLong()).isEqualTo(123_456_789_012L);
    }

    @Test
    void aSizeBelowWhatTheNumbersNeedGivesJustTheNumbers() throws Exception {
        assertThat(BenchPayload.json(7, 123, 10)).isEqualTo("{\"sent_ns\":123,\"seq\":7}");
        assertThat(JSON.readTree(BenchPayload.json(1, 2, 33)).has("seq"))
                .isTrue(); // one byte short of room for padding
    }

    @Test
    void theNumbersAreReadStraightFromAMessageFrame() {
        BenchPayload.Reader reader = new BenchPayload.Reader();
        ByteBuf frame = text("{\"type\":\"message\",\"channel\":\"bench\",\"offset\":12,\"epoch\":\"ab\",\"data\":"
                + BenchPayload.json(41, 987_654_321L, 120) + ",\"published_at\":\"2026-11-22T10:00:00Z\"}");
        try {
            assertThat(reader.read(frame)).isTrue();
            assertThat(reader.seq()).isEqualTo(41);
            assertThat(reader.sentNanos()).isEqualTo(987_654_321L);
            assertThat(frame.readerIndex()).isZero(); // reading does not consume
        } finally {
            frame.release();
        }
    }

    @Test
    void spacesAfterTheColonOtherFieldOrdersAndNumbersPastTheWindowAreRead() {
        BenchPayload.Reader reader = new BenchPayload.Reader();
        ByteBuf spaced = text("{ \"data\": { \"seq\": 3, \"sent_ns\": 99 }, \"type\": \"message\" }");
        ByteBuf late =
                text("{\"channel\":\"" + "c".repeat(600) + "\",\"data\":" + BenchPayload.json(5, 77, 2000) + "}");
        try {
            assertThat(reader.read(spaced)).isTrue();
            assertThat(reader.seq()).isEqualTo(3);
            assertThat(reader.sentNanos()).isEqualTo(99);
            assertThat(reader.read(late)).isTrue();
            assertThat(reader.seq()).isEqualTo(5);
            assertThat(reader.sentNanos()).isEqualTo(77);
        } finally {
            spaced.release();
            late.release();
        }
    }

    @Test
    void aFrameWithoutTheNumbersIsNotAPublication() {
        BenchPayload.Reader reader = new BenchPayload.Reader();
        ByteBuf established = text("{\"type\":\"connection_established\",\"connection_id\":\"c1\",\"server_time\":1}");
        ByteBuf truncated = text("{\"data\":{\"sent_ns\"");
        ByteBuf notANumber = text("{\"data\":{\"sent_ns\":\"soon\"}}");
        ByteBuf noSeq = text("{\"data\":{\"sent_ns\":12}}");
        try {
            assertThat(reader.read(established)).isFalse();
            assertThat(reader.read(truncated)).isFalse();
            assertThat(reader.read(notANumber)).isFalse();
            assertThat(reader.read(noSeq)).isTrue();
            assertThat(reader.seq()).isEqualTo(BenchPayload.ABSENT); // counted as a frame this run never sent
        } finally {
            established.release();
            truncated.release();
            notANumber.release();
            noSeq.release();
        }
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
