package io.gatehouse.broker;

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
 * publication of the old epoch is delivered after the new one is handed out.</li>
 *   <li><b>Delivery.</b> The listener of every node that {@linkplain #subscribe subscribed} to the
 *       channel receives each publication once, and one channel's publications in offset order.
 *       A publication is in the channel's history before any listener receives it.</li>
 *   <li><b>History.</b> The newest publications are kept, at most the channel's
 *       {@link HistoryRetention#size()} and none older than its {@link HistoryRetention#ttl()}.
 *       {@link #history} returns a contiguous run of them in offset order, together with the
 *       stream position read at the same instant.</li>
 *   <li><b>Presence.</b> A channel's presence is the set of clients added and not removed,
 *       one entry per connection id. {@link #publishPresenceEvent} reaches the listener of every
 *       node, this one included.</li>
 *   <li><b>Control.</b> {@link #publishControl} reaches every node, this one included.</li>
 *   <li>No method blocks the caller; stages complete on broker threads (or at once).</li>
 * </ul>
 */
public interface Broker extends AutoCloseable {
    /** Starts delivery to {@code listener}; called once, before anything else. */
    void start(BrokerListener listener);

    /** Assigns the next offset, keeps the publication in history, and delivers it. */
    CompletionStage<Publication> publish(ChannelName channel, String dataJson);

    /** The newest offset and the epoch of {@code channel}. */
    CompletionStage<StreamPosition> position(ChannelName channel);

    /** Kept publications of {@code channel} that {@code query} selects, and the position. */
    CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query);

    /**
     * This node wants the publications of {@code channel} (its first local subscriber arrived). The
     * stage completes once every later publication will reach this node's listener.
     */
    CompletionStage<Void> subscribe(String channel);

    /** This node no longer wants them (its last local subscriber left). */
    void unsubscribe(String channel);

    /** Adds (or replaces, by connection id) {@code client} in the presence of {@code channel}. */
    CompletionStage<Void> addPresence(String channel, PresenceClient client);

    /** Removes the client with {@code connectionId} from the presence of {@code channel}; no-op if absent. */
    CompletionStage<Void> removePresence(String channel, String connectionId);

    /** The clients present in {@code channel}, oldest connection first. */
    CompletionStage<List<PresenceClient>> presence(String channel);

    /** Delivers a join or leave to every node's listener. */
    CompletionStage<Void> publishPresenceEvent(PresenceEvent event);

    /** Delivers {@code command} to every node's listener (disconnects, revocations, replacements). */
    CompletionStage<Void> publishControl(ControlCommand command);

    /** Whether the broker can be reached (for {@code /ready}). */
    boolean isReachable();

    @Override
    void close();
}
