package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Moves publications, presence and control commands between the nodes of a deployment, and keeps
 * each channel's history. Every implementation passes {@code BrokerContract} (the test suite).
 *
 * <p>The guarantees, for every implementation:
 * <ul>
 *   <li><b>Offsets.</b> {@link #publish} assigns the channel's next offset atomically: within one
 *       epoch, a channel's offsets are 1, 2, 3 … with no gap and no repeat, however many
 *       publishers race. A channel's epoch changes exactly when its offsets and history are lost
 *       (a memory broker restart, an evicted stream); offsets then start again at 1, and no
 *       publication of the old epoch is delivered after the new one is handed out.</li>
 *   <li><b>Delivery.</b> The listener of every node that {@linkplain #subscribe subscribed} to the
 *       channel receives each publication once, and one channel's publications in offset order,
 *       one at a time. A publication is in the channel's history before any listener receives
 *       it. A broker that was cut off from the others (the Redis one, while its connection was
 *       down) delivers what it missed from history, in order, before newer ones; if it cannot, it
 *       calls {@link BrokerListener#onContinuityLost} instead: it never skips one silently.</li>
 *   <li><b>The publisher does not wait.</b> The stage {@link #publish} returns completes once the
 *       publication has its offset and is kept, not once it is delivered: the listener is called
 *       later, on a broker thread, never inside {@code publish}. Channels are delivered
 *       independently: a listener slow on one channel (a fan-out to thousands of subscribers)
 *       holds up neither the publishers nor the other channels.</li>
 *   <li><b>One order per channel.</b> A channel's {@linkplain PresenceEvent presence events}
 *       travel in the same order as its publications: a join or leave published after a
 *       {@code publish} of the channel completed reaches each listener after that publication, and
 *       a client's leave never before its join.</li>
 *   <li><b>History.</b> The newest publications are kept, at most the channel's
 *       {@link HistoryRetention#size()} and none older than its {@link HistoryRetention#ttl()}.
 *       {@link #history} returns a contiguous run of them in offset order, together with the
 *       stream position read at the same instant.</li>
 *   <li><b>Presence.</b> A channel's presence is the set of clients added and not removed,
 *       one entry per connection id. {@link #publishPresenceEvent} reaches the listener of every
 *       node that {@linkplain #subscribe subscribed} to the channel, this one included (joins and
 *       leaves matter only where the channel has subscribers).</li>
 *   <li><b>Control.</b> {@link #publishControl} reaches every node, this one included, in the
 *       order this node published; control commands have an order of their own, so no busy
 *       channel delays a disconnect. Like a publication, a command is delivered after its stage
 *       completes, not before.</li>
 *   <li><b>Subscriptions.</b> One channel's {@link #subscribe} and {@link #unsubscribe} take effect
 *       in the order they are called (the hub calls them alternately, each after the one before
 *       has returned).</li>
 *   <li>A listener call that throws is logged; later deliveries go on.</li>
 *   <li>No method blocks the caller; stages complete on broker threads (or at once).</li>
 *   <li>{@link #close} ends delivery: its threads stop, and what was not delivered yet is
 *       dropped (kept publications stay readable until the process ends).</li>
 * </ul>
 */
public interface Broker extends AutoCloseable {
    /** Starts delivery to {@code listener}; called once, before anything else. */
    void start(BrokerListener listener);

    /**
     * Assigns the next offset and keeps the publication in history; the stage completes with it
     * then. Delivery to the listeners follows, without the publisher.
     */
    CompletionStage<Publication> publish(ChannelName channel, String dataJson);

    /** The newest offset and the epoch of {@code channel}. */
    CompletionStage<StreamPosition> position(ChannelName channel);

    /** Kept publications of {@code channel} that {@code query} selects, and the position. */
    CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query);

    /**
     * This node wants the publications of {@code channel} (its first local subscriber arrived). The
     * stage completes once every later publication will reach this node's listener.
     */
    CompletionStage<Void> subscribe(ChannelName channel);

    /** This node no longer wants them (its last local subscriber left). */
    void unsubscribe(ChannelName channel);

    /**
     * Adds (or replaces, by connection id) {@code client} in the presence of {@code channel};
     * completes with how many connections of the client's user it lists now, counted in the same
     * atomic step (1: the user's first). With {@code announce}, that step also publishes its
     * {@code join} (as {@link #publishPresenceEvent}, {@link PresenceEvent#firstOrLast} from the
     * count), so a user's first join and last leave take the channel's order in the order their
     * counts changed.
     */
    CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client, boolean announce);

    /** {@link #addPresence(ChannelName, PresenceClient, boolean)} without announcing. */
    default CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client) {
        return addPresence(channel, client, false);
    }

    /**
     * Removes the client with {@code connectionId} from the presence of {@code channel}; completes
     * with how many connections of its user are left (0: that was the last), or -1 when it was not
     * listed. With {@code announceAs} (the listed client), the same step publishes its
     * {@code leave} when it was listed.
     */
    CompletionStage<Integer> removePresence(ChannelName channel, String connectionId, PresenceClient announceAs);

    /** {@link #removePresence(ChannelName, String, PresenceClient)} without announcing. */
    default CompletionStage<Integer> removePresence(ChannelName channel, String connectionId) {
        return removePresence(channel, connectionId, null);
    }

    /** The clients present in {@code channel}, oldest connection first. */
    CompletionStage<List<PresenceClient>> presence(ChannelName channel);

    /** Delivers a join or leave to the listener of every node subscribed to its channel, in the channel's order. */
    CompletionStage<Void> publishPresenceEvent(PresenceEvent event);

    /** Delivers {@code command} to every node's listener (disconnects, revocations, replacements). */
    CompletionStage<Void> publishControl(ControlCommand command);

    /**
     * Where the server API remembers the idempotency keys of its publishes: as widely as this broker
     * carries publications (this node, or every node on Redis).
     */
    io.gatehouse.cluster.IdempotencyKeys idempotencyKeys();

    /**
     * Whether other nodes may share this broker: then what goes to connections that may be on any
     * node (a task's pushes) travels as a {@link ControlCommand}; otherwise it is sent here directly.
     */
    default boolean spansNodes() {
        return false;
    }

    /** Whether the broker can be reached (for {@code /ready}). */
    boolean isReachable();

    /** Stops delivery and lets go of the broker's threads and connections. Idempotent. */
    @Override
    void close();
}
