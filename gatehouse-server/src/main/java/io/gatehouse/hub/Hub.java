package io.gatehouse.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.broker.Broker;
import io.gatehouse.broker.BrokerListener;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.Recovery;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.presence.Presence;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.protocol.WireCodec;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * This node's live connections and their subscriptions, and the fan-out of publications to them.
 * Thread-safe: connections call in from their event loops, the broker from its delivery threads
 * (one channel's deliveries one at a time, channels in parallel), the API from the blocking pool.
 * Fan-out encodes a publication once and shares the bytes.
 */
public final class Hub implements BrokerListener {
    private final Broker broker;
    private final WireCodec codec;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final ConnectionIndex byUser = new ConnectionIndex();
    /** Credential id (token prefix, session prefix, JWT fingerprint) to its connections. */
    private final ConnectionIndex byCredential = new ConnectionIndex();
    /** Channel to its local subscriptions, and the broker subscription they share. */
    private final ChannelSubscribers subscribers;
    /** Connection id to its subscriptions by channel. */
    private final Map<String, Map<String, Subscription>> subscriptionsOf = new ConcurrentHashMap<>();

    private final LongAdder delivered = new LongAdder();
    private final LongAdder published = new LongAdder();

    private final GatehouseMetrics metrics;
    private final Presence presence;
    private final java.util.function.BiConsumer<String, ChannelName> serverUnsubscribed;

    public Hub(Broker broker, WireCodec codec, GatehouseMetrics metrics, GatehouseConfig.Channels channels) {
        this(broker, codec, metrics, channels, event -> {}, (user, channel) -> {});
    }

    /**
     * {@code presenceObserver} is told of each user's first join and last leave on this node (the
     * webhooks); {@code serverUnsubscribed}, on every node, of each user the server API unsubscribed,
     * whether or not the user has connections there (the channel proxy's cache).
     */
    public Hub(
            Broker broker,
            WireCodec codec,
            GatehouseMetrics metrics,
            GatehouseConfig.Channels channels,
            Consumer<PresenceEvent> presenceObserver,
            java.util.function.BiConsumer<String, ChannelName> serverUnsubscribed) {
        this.serverUnsubscribed = serverUnsubscribed;
        this.broker = broker;
        this.codec = codec;
        this.metrics = metrics;
        this.subscribers = new ChannelSubscribers(broker);
        this.presence = new Presence(broker, channels, presenceObserver);
        metrics.connections(connections::size);
    }

    public void register(Connection c) {
        connections.put(c.id(), c);
        // Sized for the personal channel and a few more: most connections hold one or two.
        subscriptionsOf.put(c.id(), new ConcurrentHashMap<>(4));
        byUser.add(c.principal().user().id(), c);
        byCredential.add(c.principal().credentialId(), c);
    }

    /** Forgets {@code c} and all its subscriptions. Idempotent. */
    public void unregister(Connection c) {
        if (connections.remove(c.id()) == null) {
            return;
        }
        Map<String, Subscription> mine = subscriptionsOf.remove(c.id());
        if (mine != null) {
            mine.values().forEach(this::end);
        }
        byUser.remove(c.principal().user().id(), c);
        byCredential.remove(c.principal().credentialId(), c);
    }

    /** {@code c} now holds another credential (an in-band refresh): move it in the credential index. */
    public void rekey(Connection c, String oldCredentialId) {
        byCredential.remove(oldCredentialId, c);
        if (connections.containsKey(c.id())) {
            byCredential.add(c.principal().credentialId(), c);
        }
    }

    /** Live connections authenticated by {@code credentialId}. */
    public List<Connection> connectionsWith(String credentialId) {
        return byCredential.get(credentialId);
    }

    /**
     * Subscribes {@code c} to {@code channel}, starting: publications are held back until
     * {@link #start}. Null if {@code c} is already subscribed (or not registered).
     */
    public Subscription subscribe(Connection c, ChannelName channel) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        if (mine == null || mine.containsKey(channel.value())) {
            return null;
        }
        Subscription s = subscribers.add(c, channel);
        mine.put(channel.value(), s);
        return s;
    }

    /** How many channels {@code c} is subscribed to (starting ones included). */
    public int subscriptionCount(Connection c) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        return mine == null ? 0 : mine.size();
    }

    /** {@code c}'s subscription to {@code channel}, or null. */
    public Subscription subscription(Connection c, String channel) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        return mine == null ? null : mine.get(channel);
    }

    /**
     * Takes {@code s} live (see {@link Subscription#start}). Where the namespace keeps presence, the
     * client is listed and its join announced before {@code announce} runs, so that a client told
     * {@code subscribed} is already listed. Null if the subscription ended meanwhile.
     */
    public Recovery start(Subscription s, StreamPosition since, HistoryPage page, Consumer<Recovery> announce) {
        Recovery recovery = s.start(since, page, this::messageFrame, r -> {
            if (presence.keeps(s.channel())) {
                PresenceClient client = presenceClient(s.connection());
                s.listedAs(client); // before its join goes out: that join coming back starts s hearing others
                s.joined(presence.join(s.channel(), client));
            }
            announce.accept(r);
        });
        if (recovery != null && since != null) {
            metrics.recovery(recovery.recovered());
        }
        return recovery;
    }

    /**
     * Ends every subscription of {@code c} at once (its presence leaves with them) while it stays
     * registered: for a connection that is closing but whose socket may linger until the client
     * answers the close.
     */
    public void unsubscribeAll(Connection c) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        if (mine != null) {
            for (String channel : List.copyOf(mine.keySet())) {
                unsubscribe(c, channel);
            }
        }
    }

    /** Unsubscribes {@code c}; false if it was not subscribed. */
    public boolean unsubscribe(Connection c, String channel) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        Subscription s = mine == null ? null : mine.remove(channel);
        if (s == null) {
            return false;
        }
        end(s);
        return true;
    }

    private void end(Subscription s) {
        s.end(); // from here start() does nothing, so listedAs() below is final
        subscribers.remove(s);
        PresenceClient listed = s.listedAs();
        if (listed != null) {
            presence.leave(s.channel(), listed, s.joined());
        }
    }

    private static PresenceClient presenceClient(Connection c) {
        return new PresenceClient(
                c.id(), c.principal().user().id(), c.principal().user().name(), c.connectedAt());
    }

    @Override
    public void onPublication(Publication p) {
        published.increment();
        metrics.published();
        EncodedMessage frame = null;
        int sent = 0;
        for (Subscription s : subscribers.of(p.channel())) {
            if (frame == null) {
                frame = messageFrame(p);
            }
            if (s.deliver(p, frame)) {
                sent++;
            }
        }
        delivered.add(sent);
        metrics.delivered(sent);
    }

    /** Whether {@code channel} has a subscription on this node (starting ones included). */
    public boolean hasSubscribers(String channel) {
        return !subscribers.of(channel).isEmpty();
    }

    /**
     * Sends {@code frame}, a message of the server's own rather than a publication (no offset, not
     * a delivery), to every live local subscriber of {@code channel}; returns to how many.
     */
    public int push(String channel, EncodedMessage frame) {
        int sent = 0;
        for (Subscription s : subscribers.of(channel)) {
            if (s.push(frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** The {@code message} frame of {@code p}: encoded once and shared by every subscriber. */
    private EncodedMessage messageFrame(Publication p) {
        return codec.encode(new ServerMessage.Message(p));
    }

    private static ServerMessage presenceFrame(PresenceEvent event) {
        String channel = event.channel().value();
        return event.kind() == PresenceEvent.Kind.JOIN
                ? new ServerMessage.Join(channel, event.client())
                : new ServerMessage.Leave(channel, event.client());
    }

    @Override
    public void onPresenceEvent(PresenceEvent event) {
        EncodedMessage frame = null;
        for (Subscription s : subscribers.of(event.channel().value())) {
            if (s.hears(event) && event.firstOrLast()) { // a user's other tabs are not announced
                if (frame == null) {
                    frame = codec.encode(presenceFrame(event));
                }
                s.connection().send(frame);
            }
        }
    }

    /**
     * Publications of {@code channel} were lost to this node (the broker was cut off from them): its
     * subscribers cannot be given every offset, so their connections close with
     * {@code BACKEND_UNAVAILABLE}; the client reconnects, subscribes with {@code since} and is
     * answered {@code recovered: false} (docs/protocol.md, History and recovery).
     */
    @Override
    public void onContinuityLost(ChannelName channel) {
        for (Subscription s : subscribers.of(channel.value())) {
            // Ended here, on the channel's delivery thread: the close runs later on the connection's
            // loop, and a publication after the gap (a new epoch) must not reach the client first.
            s.end();
            s.connection()
                    .close(RefusalCode.BACKEND_UNAVAILABLE.refusal("Publications of " + channel.value()
                            + " were lost while the broker was unreachable; reconnect and subscribe again"));
        }
    }

    @Override
    public void onPresenceExpired(ChannelName channel, PresenceClient client, int connectionsLeft) {
        presence.expired(channel, client, connectionsLeft);
    }

    @Override
    public void onControl(ControlCommand command) {
        if (command instanceof ControlCommand.DisconnectUser d) {
            connectionsOf(d.userId()).forEach(c -> c.close(d.refusal()));
        } else if (command instanceof ControlCommand.DisconnectConnection d) {
            Connection c = connections.get(d.connectionId());
            if (c != null) {
                c.close(d.refusal());
            }
        } else if (command instanceof ControlCommand.DisconnectCredential d) {
            connectionsWith(d.credentialId()).forEach(c -> c.close(d.refusal()));
        } else if (command instanceof ControlCommand.ReplaceCredential r) {
            for (Connection c : connectionsWith(r.credentialId())) {
                // only older ones: two racing newcomers must not close each other
                if (r.instanceId().equals(c.instanceId())
                        && !c.id().equals(r.newConnectionId())
                        && c.connectedAt().isBefore(r.since())) {
                    c.close(RefusalCode.CONNECTION_REPLACED.refusal());
                }
            }
        } else if (command instanceof ControlCommand.ServerSubscription s) {
            ChannelName.parse(s.channel()).ifPresent(channel -> {
                if (!s.subscribe()) {
                    serverUnsubscribed.accept(s.userId(), channel);
                }
                connectionsOf(s.userId()).forEach(c -> c.serverSubscription(channel, s.subscribe()));
            });
        } else if (command instanceof ControlCommand.TaskChanged t) {
            sendTask(t.owner(), t.taskJson());
        }
    }

    /**
     * Sends every connection of {@code owner} a task_progress of {@code taskJson}: on every node
     * when the broker spans several (a task's owner may be connected anywhere), else here. When the
     * broker cannot carry it (Redis unreachable), at least the owner's connections here get it.
     */
    public void pushTask(String owner, String taskJson) {
        if (!broker.spansNodes()) {
            sendTask(owner, taskJson);
            return;
        }
        broker.publishControl(new ControlCommand.TaskChanged(owner, taskJson)).exceptionally(unsent -> {
            sendTask(owner, taskJson);
            return null;
        });
    }

    private void sendTask(String owner, String taskJson) {
        List<Connection> owners = connectionsOf(owner);
        if (owners.isEmpty()) {
            return;
        }
        EncodedMessage frame;
        try {
            frame = codec.encode(
                    new ServerMessage.TaskProgress(null, codec.json().readTree(taskJson)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a task that is not JSON", e);
        }
        owners.forEach(c -> c.send(frame));
    }

    public List<Connection> connectionsOf(String userId) {
        return byUser.get(userId);
    }

    /** The live connection {@code id} of this node, or null. */
    public Connection connection(String id) {
        return connections.get(id);
    }

    public Collection<Connection> connections() {
        return List.copyOf(connections.values());
    }

    public Set<String> channelsOf(Connection c) {
        Map<String, Subscription> mine = subscriptionsOf.get(c.id());
        return mine == null ? Set.of() : Set.copyOf(mine.keySet());
    }

    /**
     * The channel named {@code value} while this node has subscribers of it, or null. (Personal
     * channels may hold characters a client cannot write, so names are looked up, not parsed.)
     */
    public ChannelName channel(String value) {
        return subscribers.channel(value);
    }

    /** Channel name to its number of local subscribers, sorted by name. */
    public Map<String, Integer> channels() {
        return subscribers.counts();
    }

    public int connectionCount() {
        return connections.size();
    }

    public int userCount() {
        return byUser.size();
    }

    public long deliveredCount() {
        return delivered.sum();
    }

    public long publishedCount() {
        return published.sum();
    }
}
