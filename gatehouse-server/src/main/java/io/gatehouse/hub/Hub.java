package io.gatehouse.hub;

import io.gatehouse.broker.Broker;
import io.gatehouse.broker.BrokerListener;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.broker.Publication;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.MessageCodec;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's live connections and their subscriptions, and the fan-out of publications to them.
 * Thread-safe: connections call in from their event loops, the broker from its threads, the API
 * from the blocking pool. Fan-out encodes a publication once and shares the bytes.
 */
public final class Hub implements BrokerListener {
    private final Broker broker;
    private final MessageCodec codec;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    /** Credential id (token prefix, session prefix, JWT fingerprint) to its connections. */
    private final Map<String, Set<Connection>> byCredential = new ConcurrentHashMap<>();
    /** Channel to local subscribers; a channel is present exactly while it has one. */
    private final Map<String, Set<Connection>> subscribers = new ConcurrentHashMap<>();
    /** Connection id to its channels. */
    private final Map<String, Set<String>> channelsOf = new ConcurrentHashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder published = new LongAdder();

    private final GatehouseMetrics metrics;

    public Hub(Broker broker, MessageCodec codec, GatehouseMetrics metrics) {
        this.broker = broker;
        this.codec = codec;
        this.metrics = metrics;
        metrics.connections(connections::size);
    }

    public void register(Connection c) {
        connections.put(c.id(), c);
        channelsOf.put(c.id(), ConcurrentHashMap.newKeySet());
        byUser.computeIfAbsent(c.principal().user().id(), k -> ConcurrentHashMap.newKeySet()).add(c);
        byCredential.computeIfAbsent(c.principal().credentialId(), k -> ConcurrentHashMap.newKeySet()).add(c);
    }

    /** Forgets {@code c} and all its subscriptions. Idempotent. */
    public void unregister(Connection c) {
        if (connections.remove(c.id()) == null) {
            return;
        }
        Set<String> channels = channelsOf.remove(c.id());
        if (channels != null) {
            channels.forEach(ch -> removeSubscriber(ch, c));
        }
        byUser.computeIfPresent(c.principal().user().id(), (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
        byCredential.computeIfPresent(c.principal().credentialId(), (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
    }

    /** {@code c} now holds another credential (an in-band refresh): move it in the credential index. */
    public void rekey(Connection c, String oldCredentialId) {
        byCredential.computeIfPresent(oldCredentialId, (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
        if (connections.containsKey(c.id())) {
            byCredential.computeIfAbsent(c.principal().credentialId(), k -> ConcurrentHashMap.newKeySet()).add(c);
        }
    }

    /** Live connections authenticated by {@code credentialId}. */
    public List<Connection> connectionsWith(String credentialId) {
        Set<Connection> set = byCredential.get(credentialId);
        return set == null ? List.of() : List.copyOf(set);
    }

    /** Subscribes {@code c}; false if it already was. */
    public boolean subscribe(Connection c, String channel) {
        Set<String> mine = channelsOf.get(c.id());
        if (mine == null || !mine.add(channel)) {
            return false;
        }
        subscribers.compute(channel, (k, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                broker.subscribe(channel);
            }
            set.add(c);
            return set;
        });
        return true;
    }

    /** Unsubscribes {@code c}; false if it was not subscribed. */
    public boolean unsubscribe(Connection c, String channel) {
        Set<String> mine = channelsOf.get(c.id());
        if (mine == null || !mine.remove(channel)) {
            return false;
        }
        removeSubscriber(channel, c);
        return true;
    }

    private void removeSubscriber(String channel, Connection c) {
        subscribers.computeIfPresent(channel, (k, set) -> {
            set.remove(c);
            if (set.isEmpty()) {
                broker.unsubscribe(channel);
                return null;
            }
            return set;
        });
    }

    @Override
    public void onPublication(Publication p) {
        published.increment();
        metrics.published();
        Set<Connection> targets = subscribers.get(p.channel());
        if (targets == null || targets.isEmpty()) {
            return;
        }
        EncodedMessage frame = codec.message(p);
        int sent = 0;
        for (Connection c : targets) {
            if (c.send(frame)) {
                sent++;
            }
        }
        delivered.add(sent);
        metrics.delivered(sent);
    }

    @Override
    public void onControl(ControlCommand command) {
        if (command instanceof ControlCommand.DisconnectUser d) {
            connectionsOf(d.userId()).forEach(c -> c.close(d.refusal()));
        } else if (command instanceof ControlCommand.DisconnectCredential d) {
            connectionsWith(d.credentialId()).forEach(c -> c.close(d.refusal()));
        } else if (command instanceof ControlCommand.ReplaceCredential r) {
            for (Connection c : connectionsWith(r.credentialId())) {
                // only older ones: two racing newcomers must not close each other
                if (!c.id().equals(r.newConnectionId()) && c.connectedAt().isBefore(r.since())) {
                    c.close(io.gatehouse.protocol.RefusalCode.CONNECTION_REPLACED.refusal());
                }
            }
        }
    }

    public List<Connection> connectionsOf(String userId) {
        Set<Connection> set = byUser.get(userId);
        return set == null ? List.of() : List.copyOf(set);
    }

    public Collection<Connection> connections() {
        return List.copyOf(connections.values());
    }

    public Set<String> channelsOf(Connection c) {
        Set<String> mine = channelsOf.get(c.id());
        return mine == null ? Set.of() : Set.copyOf(mine);
    }

    /** Channel name to its number of local subscribers, sorted by name. */
    public Map<String, Integer> channels() {
        Map<String, Integer> out = new TreeMap<>();
        subscribers.forEach((ch, set) -> out.put(ch, set.size()));
        return out;
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
