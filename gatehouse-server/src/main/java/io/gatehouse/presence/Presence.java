package io.gatehouse.presence;

import io.gatehouse.broker.Broker;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import java.util.function.Consumer;

/**
 * Who is here (SPEC §5, namespace keys {@code presence} and {@code join_leave}): a subscription
 * that goes live in a namespace with presence lists its client in the channel's presence, and
 * where the namespace has {@code join_leave} announces a {@code join}; when it ends it is unlisted
 * and announces a {@code leave}. The {@link Broker} keeps the lists and carries the announcements
 * to every node in the channel's one order, so a client's leave never overtakes its join.
 *
 * <p>Who hears an announcement: the channel's other subscriptions whose own join came back from
 * the broker before it, so each hears exactly the joins and leaves ordered after its own (those
 * before are in the presence it can read), and none about itself. Thread-safe.
 */
public final class Presence {
    private final Broker broker;
    private final GatehouseConfig.Channels channels;
    /** Told of every join and leave, announced or not (the webhooks' presence.joined / presence.left). */
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
     * announces its join if the namespace says so; {@link #leave} must follow once it goes.
     */
    public void join(ChannelName channel, PresenceClient client) {
        broker.addPresence(channel, client);
        PresenceEvent join = new PresenceEvent(channel, PresenceEvent.Kind.JOIN, client);
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns != null && ns.joinLeave()) {
            broker.publishPresenceEvent(join);
        }
        observer.accept(join);
    }

    /** Unlists {@code client}, which {@link #join} listed, and announces its leave if the namespace says so. */
    public void leave(ChannelName channel, PresenceClient client) {
        broker.removePresence(channel, client.connectionId());
        announceLeave(channel, client);
    }

    /**
     * {@code client}, listed by a node that died, was unlisted by the broker: its leave is
     * announced as if it had left (the broker has this called on one node only).
     */
    public void expired(ChannelName channel, PresenceClient client) {
        announceLeave(channel, client);
    }

    private void announceLeave(ChannelName channel, PresenceClient client) {
        PresenceEvent leave = new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, client);
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns != null && ns.joinLeave()) {
            broker.publishPresenceEvent(leave);
        }
        observer.accept(leave);
    }
}
