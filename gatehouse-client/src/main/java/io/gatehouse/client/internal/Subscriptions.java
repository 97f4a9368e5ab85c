package io.gatehouse.client.internal;

import io.gatehouse.client.ConnectionLostException;
import io.gatehouse.client.SubscriptionListener;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.ServerMessage.Subscribed;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The channels the application subscribed to, by name, in the order it did: kept across reconnects,
 * resubscribed on each, and the way publications, joins and leaves reach their listeners. Not
 * thread-safe (the client thread owns it).
 */
final class Subscriptions {
    private final Map<String, Subscription> byChannel = new LinkedHashMap<>();

    /** A new subscription, or null when the channel has one already. */
    Subscription add(ChannelName channel, SubscriptionListener listener, CompletableFuture<Subscribed> reply) {
        if (byChannel.containsKey(channel.value())) {
            return null;
        }
        Subscription s = new Subscription(channel, listener, reply);
        byChannel.put(channel.value(), s);
        return s;
    }

    /** Forgets {@code channel}'s subscription (its first reply, if still due, is cancelled); whether there was one. */
    boolean remove(ChannelName channel) {
        Subscription s = byChannel.remove(channel.value());
        if (s != null) {
            s.firstReply.completeExceptionally(new CancellationException("Unsubscribed"));
        }
        return s != null;
    }

    List<Subscription> all() {
        return List.copyOf(byChannel.values());
    }

    /**
     * Waits for the reply to a (re)subscribe sent on {@code on}: confirms it, or, when refused,
     * ends it (failing the first reply, or telling the listener when that is long done). A lost
     * connection changes nothing: the next one resubscribes.
     */
    Requests.Waiter replyTo(Subscription s, Link on) {
        s.requested(on);
        return new Requests.Waiter() {
            @Override
            public void reply(ServerMessage message) {
                if (message instanceof Subscribed reply && current(s)) {
                    s.confirmed(reply, on);
                }
            }

            @Override
            public void refused(Refusal refusal) {
                if (byChannel.remove(s.channel.value(), s)
                        && !s.firstReply.completeExceptionally(refusal.asException())) {
                    Callbacks.call("onEnded", () -> s.listener.onEnded(refusal));
                }
            }

            @Override
            public void lost(ConnectionLostException e) {}
        };
    }

    /** A live publication: to its subscription if confirmed on {@code link}; false when none has the channel. */
    boolean publication(Publication p, Link link) {
        Subscription s = byChannel.get(p.channel());
        if (s == null) {
            return false;
        }
        s.live(p, link);
        return true;
    }

    /** The server ended {@code channel}'s subscription unasked (grants changed on refresh). */
    void ended(String channel, Refusal refusal) {
        Subscription s = byChannel.remove(channel);
        if (s != null) {
            Callbacks.call("onEnded", () -> s.listener.onEnded(refusal));
        }
    }

    void presence(String channel, PresenceClient client, boolean joined) {
        Subscription s = byChannel.get(channel);
        if (s != null) {
            Callbacks.call(joined ? "onJoin" : "onLeave", () -> {
                if (joined) {
                    s.listener.onJoin(client);
                } else {
                    s.listener.onLeave(client);
                }
            });
        }
    }

    /** The client closed: every subscription ends, first replies still due fail with {@code e}. */
    void clear(ConnectionLostException e) {
        byChannel.values().forEach(s -> s.firstReply.completeExceptionally(e));
        byChannel.clear();
    }

    private boolean current(Subscription s) {
        return byChannel.get(s.channel.value()) == s;
    }
}
