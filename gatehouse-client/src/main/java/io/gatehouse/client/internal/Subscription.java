package io.gatehouse.client.internal;

import io.gatehouse.client.SubscriptionListener;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.ServerMessage.Subscribed;
import io.gatehouse.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/**
 * One channel the application subscribed to: kept across reconnects and resubscribed on each with
 * {@code since} = the last publication it delivered. Only the client thread touches it.
 */
final class Subscription {
    final ChannelName channel;
    final SubscriptionListener listener;
    /** Completes with the first {@code subscribed}. */
    final CompletableFuture<Subscribed> firstReply;

    private final StreamCursor cursor = new StreamCursor();
    /** The link on which the server confirmed it, or null while a (re)subscribe waits. */
    private Link liveOn;

    Subscription(ChannelName channel, SubscriptionListener listener, CompletableFuture<Subscribed> firstReply) {
        this.channel = channel;
        this.listener = listener;
        this.firstReply = firstReply;
    }

    /** Where to resubscribe from ({@code since}), or null before the first {@code subscribed}. */
    StreamPosition since() {
        return cursor.position();
    }

    /** A (re)subscribe goes out on {@code link}: nothing is delivered until it is confirmed. */
    void requested() {
        liveOn = null;
    }

    /**
     * The server confirmed it on {@code link}: the listener hears {@code recovered}, then the
     * missed publications (each once), then, from this link, live ones.
     */
    void confirmed(Subscribed reply, Link link) {
        liveOn = link;
        cursor.subscribed(reply.recovered(), reply.position());
        Callbacks.call("onSubscribed", () -> listener.onSubscribed(reply.recovered(), reply.position()));
        reply.publications().forEach(this::deliver);
        firstReply.complete(reply);
    }

    /** A live publication; dropped unless confirmed on {@code link} and new. */
    void live(Publication p, Link link) {
        if (liveOn == link) {
            deliver(p);
        }
    }

    private void deliver(Publication p) {
        if (cursor.advance(p)) {
            Callbacks.call("onPublication", () -> listener.onPublication(p));
        }
    }
}
