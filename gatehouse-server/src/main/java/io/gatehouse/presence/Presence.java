package io.gatehouse.presence;

import io.gatehouse.broker.Broker;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Who is here (SPEC §5, namespace keys {@code presence} and {@code join_leave}): a subscription
 * that goes live in a namespace with presence lists its client in the channel's presence, and
 * where the namespace has {@code join_leave} announces a {@code join}; when it ends it is unlisted
 * and announces a {@code leave}. A user with several connections (tabs) is one presence: only its
 * first connection's join and its last one's leave reach clients and webhooks. The {@link Broker} keeps the lists and carries the announcements
 * to every node in the channel's one order, so a client's leave never overtakes its join.
 *
 * <p>Who hears an announcement: the channel's other subscriptions whose own join came back from
 * the broker before it, so each hears exactly the joins and leaves ordered after its own (those
 * before are in the presence it can read), and none about itself. Thread-safe.
 */
public final class Presence {
    private final Broker broker;
    private final GatehouseConfig.Channels channels;
    /** Told of each user's first join and last leave, announced or not (the webhooks' presence.joined / presence.left). */
    private final Consumer<PresenceEvent> observer;

    public Presence(Broker broker, GatehouseConfig.Channels channels, Consumer<PresenceEvent> observer) {
        this.broker = broker;
        this.channels = channels;
        this.observer = observer;
    }

    /** Whether {@code channel}'s namespace keeps presence: then its live subscriptions are listed. */
    public boolean keeps(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        return ns != null && ns.presence();
    }

    /**
     * Lists {@code client} in {@code channel}, which {@linkplain #keeps keeps presence}, and
     * announces its join if the namespace says so (to clients and webhooks only when it is its
     * user's first connection there); {@link #leave} must follow once it goes, given the stage
     * returned here, so that the leave is sent after the join.
     */
    public CompletionStage<Void> join(ChannelName channel, PresenceClient client) {
        return broker.addPresence(channel, client, announces(channel))
                // Unknown (the broker failed): the webhook is raised, as before there were counts.
                .handle((count, failure) -> failure != null || count == 1)
                .thenAccept(first -> observe(new PresenceEvent(channel, PresenceEvent.Kind.JOIN, client, first)));
    }

    /**
     * Unlists {@code client}, which {@link #join} listed ({@code joined}: that join's stage), and
     * announces its leave if the namespace says so: to clients and webhooks only when it was its
     * user's last connection there. Nothing is announced when the broker no longer listed it (a
     * node took this one for dead and announced the leave already).
     */
    public void leave(ChannelName channel, PresenceClient client, CompletionStage<Void> joined) {
        (joined == null ? CompletableFuture.<Void>completedFuture(null) : joined)
                .handle((done, failed) -> null)
                .thenCompose(
                        j -> broker.removePresence(channel, client.connectionId(), announces(channel) ? client : null))
                .handle((left, failure) -> failure != null ? 0 : left)
                .thenAccept(left -> {
                    if (left >= 0) {
                        observe(new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, client, left == 0));
                    }
                });
    }

    /**
     * {@code client}, listed by a node that died, was unlisted by the broker: its leave is
     * announced as if it had left (the broker has this called on one node only).
     */
    public void expired(ChannelName channel, PresenceClient client, int connectionsLeft) {
        PresenceEvent leave = new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, client, connectionsLeft == 0);
        if (announces(channel)) {
            broker.publishPresenceEvent(leave);
        }
        observe(leave);
    }

    /**
     * Whether joins and leaves of {@code channel} travel in its order (join_leave): every one does,
     * so that each subscription learns from its own join where it stands; the broker publishes it
     * in the step that counts its user's connections.
     */
    private boolean announces(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        return ns != null && ns.joinLeave();
    }

    /** The observer (webhooks) hears only a user's first join and last leave. */
    private void observe(PresenceEvent event) {
        if (event.firstOrLast()) {
            observer.accept(event);
        }
    }
}
