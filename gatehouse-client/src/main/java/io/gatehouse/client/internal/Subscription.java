package io.gatehouse.client.internal;

import io.gatehouse.client.SubscriptionListener;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.ServerMessage.Subscribed;
import io.gatehouse.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
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
    /** The link a (re)subscribe waits for its reply on, or null. */
    private Link pendingOn;
    /**
     * Live publications that came on {@link #pendingOn} before the reply: the server may send some
     * before {@code subscribed} (the personal channel is subscribed implicitly at connect, and its
     * reply carries only what came before that). Delivered after the reply's, duplicates dropped.
     */
    private final List<Publication> early = new ArrayList<>();

    Subscription(ChannelName channel, SubscriptionListener listener, CompletableFuture<Subscribed> firstReply) {
        this.channel = channel;
        this.listener = listener;
        this.firstReply = firstReply;
    }

    /** Where to resubscribe from ({@code since}), or null before the first {@code subscribed}. */
    StreamPosition since() {
        return cursor.position();
    }

    /**
     * A (re)subscribe goes out on {@code link}: nothing is delivered until it is confirmed, and what
     * comes live on {@code link} meanwhile is kept for then.
     */
    void requested(Link link) {
        liveOn = null;
        pendingOn = link;
        early.clear();
    }

    /**
     * The server confirmed it on {@code link}: the listener hears {@code recovered}, then the
     * missed publications, then those that came live before the reply, then, from this link, live
     * ones; each once.
     */
    void confirmed(Subscribed reply, Link link) {
        liveOn = link;
        List<Publication> before = List.copyOf(early);
        pendingOn = null;
        early.clear();
        cursor.subscribed(reply.recovered(), reply.position());
        Callbacks.call(
                "onSubscribed", () -> listener.onSubscribed(reply.recovered(), reply.position(), reply.dataJson()));
        reply.publications().forEach(this::deliver);
        before.forEach(this::deliver);
        firstReply.complete(reply);
    }

    /**
     * A live publication: delivered if confirmed on {@code link} and new, kept if a (re)subscribe on
     * {@code link} waits for its reply, else dropped.
     */
    void live(Publication p, Link link) {
        if (liveOn == link) {
            deliver(p);
        } else if (pendingOn == link) {
            early.add(p);
        }
    }

    private void deliver(Publication p) {
        if (cursor.advance(p)) {
            Callbacks.call("onPublication", () -> listener.onPublication(p));
        }
    }
}
