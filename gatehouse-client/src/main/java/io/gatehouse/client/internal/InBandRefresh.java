package io.gatehouse.client.internal;

import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.ServerMessage;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The answer to {@code token_expiring}: a fresh token from the provider, sent as an in-band
 * {@code refresh}. One at a time, and only a token other than the one held: the server warns again
 * at once after a refresh that left the expiry close, and answering each warning with the same
 * token would loop until the message rate limit closed the connection. Client thread only.
 */
record InBandRefresh(Credential credential, ClientThread thread, Requests requests) {
    /**
     * Starts a refresh on {@code link}, unless one is under way; {@code isConnected} says, on the
     * client thread, whether a link is still the current, connected one.
     */
    void start(Link link, Predicate<Link> isConnected) {
        CompletableFuture<String> next = credential.forRefresh();
        if (next == null) {
            return;
        }
        next.whenComplete((fresh, failure) -> thread.execute(() -> {
            if (!isConnected.test(link) || failure != null || !credential.adopt(fresh)) {
                // Nothing new: at expiry the server closes with TOKEN_EXPIRED, and the reconnect asks again.
                credential.refreshOver();
                return;
            }
            CompletableFuture<Instant> refreshed = new CompletableFuture<>();
            refreshed.whenComplete((at, e) -> credential.refreshOver());
            requests.send(
                    link,
                    id -> new ClientMessage.Refresh(id, fresh),
                    Requests.future(ServerMessage.Refreshed.class, ServerMessage.Refreshed::expiresAt, refreshed));
        }));
    }
}
