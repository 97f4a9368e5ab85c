package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The answer to {@code POST /api/v1/broadcast}: each channel is published on its own, so the answer
 * waits for all of them and lists, in the request's order, the position of each publication or the
 * code of each channel that refused it (a channel whose delivery is behind). With any refusal the
 * status is the first refusal's, so that a publisher retries exactly the refused channels and no
 * subscriber gets a publication twice.
 */
final class BroadcastAnswer {
    private BroadcastAnswer() {}

    static CompletionStage<ApiResponse> of(
            List<ChannelName> channels, List<CompletableFuture<Publication>> publishes, WireCodec codec) {
        CompletableFuture<?>[] settled =
                publishes.stream().map(f -> f.handle((p, e) -> null)).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(settled).thenApply(done -> {
            ObjectNode out = codec.json().createObjectNode();
            ArrayNode results = out.putArray("publications");
            Refusal first = null;
            for (int i = 0; i < publishes.size(); i++) {
                CompletableFuture<Publication> f = publishes.get(i);
                if (f.isCompletedExceptionally()) {
                    Refusal r = RefusalException.refusalOf(f.handle((p, e) -> e).join());
                    first = first == null ? r : first;
                    results.addObject()
                            .put("channel", channels.get(i).value())
                            .put("code", r.code().name());
                } else {
                    Publication p = f.join();
                    results.add(codec.fields(new ServerMessage.Published(null, p.channel(), p.position())));
                }
            }
            return first == null ? ApiResponse.ok(out) : ApiResponse.refusal(first, out);
        });
    }
}
