package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A broadcast that one channel refuses says which channels published, so a retry doubles nothing. */
class BroadcastAnswerTest {
    private final WireCodec codec = new WireCodec();

    @Test
    void aRefusedChannelIsNamedNextToThePublishedOnesAndTheStatusIsTheRefusals() throws Exception {
        List<ChannelName> channels = List.of(
                ChannelName.parse("a").orElseThrow(), ChannelName.parse("b").orElseThrow());
        CompletableFuture<Publication> a =
                CompletableFuture.completedFuture(new Publication("a", 3, "e", "1", Instant.EPOCH));
        CompletableFuture<Publication> b = CompletableFuture.failedFuture(
                RefusalCode.RATE_LIMITED.refusal("behind").retryAfter(1000).asException());

        ApiResponse answer = BroadcastAnswer.of(channels, List.of(a, b), codec)
                .toCompletableFuture()
                .get();

        assertThat(answer.status()).isEqualTo(429);
        JsonNode body = new ObjectMapper().readTree(answer.body());
        assertThat(body.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(body.path("retry_after_ms").asLong()).isEqualTo(1000);
        assertThat(body.path("publications").toString())
                .isEqualTo(
                        "[{\"channel\":\"a\",\"offset\":3,\"epoch\":\"e\"},{\"channel\":\"b\",\"code\":\"RATE_LIMITED\"}]");
    }

    @Test
    void whenEveryChannelPublishesTheAnswerIsTheirPositions() throws Exception {
        List<ChannelName> channels = List.of(ChannelName.parse("a").orElseThrow());
        ApiResponse answer = BroadcastAnswer.of(
                        channels,
                        List.of(CompletableFuture.completedFuture(new Publication("a", 1, "e", "1", Instant.EPOCH))),
                        codec)
                .toCompletableFuture()
                .get();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"publications\":[{\"channel\":\"a\",\"offset\":1,\"epoch\":\"e\"}]}");
    }
}
