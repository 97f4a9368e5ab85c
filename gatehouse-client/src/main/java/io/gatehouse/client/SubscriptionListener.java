package io.gatehouse.client;

import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.StreamPosition;

/**
 * What one subscription hears. Called on the client thread, in order, never concurrently (see
 * {@link ClientListener} on blocking).
 */
@FunctionalInterface
public interface SubscriptionListener {
    /**
     * The next publication of the channel. Across reconnects each publication comes once, in offset
     * order: the ones missed while disconnected first, then live ones.
     */
    void onPublication(Publication publication);

    /**
     * The server confirmed the subscription: once after {@link GatehouseClient#subscribe} and again
     * after every reconnect. {@code recovered} says whether every publication missed while away is
     * being delivered; when false (the channel's history was lost, a server restart with the memory
     * broker, or the gap outgrew the history) reload the state from the application and carry on
     * from {@code position}. The first subscribe is never "recovered": there was nothing to miss.
     */
    default void onSubscribed(boolean recovered, StreamPosition position) {}

    /**
     * As {@link #onSubscribed(boolean, StreamPosition)}, which it calls unless overridden, with
     * {@code dataJson}: what the application answered for a {@code subscribe: proxy} namespace
     * (docs/integrations.md), as JSON text, or null when it gave none.
     */
    default void onSubscribed(boolean recovered, StreamPosition position, String dataJson) {
        onSubscribed(recovered, position);
    }

    /**
     * The subscription ended without the application asking: the server refused a resubscribe
     * after a reconnect, or took the channel away after a credential refresh ({@code
     * PERMISSION_DENIED}). Nothing more arrives for it.
     */
    default void onEnded(Refusal refusal) {}

    /** {@code join}: a client subscribed to the channel (namespaces with {@code join_leave}). */
    default void onJoin(PresenceClient client) {}

    /** {@code leave}: a client left the channel. */
    default void onLeave(PresenceClient client) {}
}
