package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node's pub/sub connection receives, handed to the listener through
 * {@link DeliveryLanes}: a channel's publications and presence events in the channel's lane, in the
 * order Redis sent them (the order its publish scripts and PUBLISHes ran), control commands in the
 * control lane. Called on the Lettuce thread of the pub/sub connection, it only finds the lane;
 * decoding and the listener run on a delivery thread.
 *
 * <p>The messages: on a channel's events pub/sub channel {@code p ORIGIN OFFSET EPOCH BODY} (written
 * by the publish script) and {@code e EVENT}; on the control channel {@code ID ORIGIN COMMAND}, ID
 * its entry in the control log ({@link RedisControlLog}). ORIGIN
 * is {@code NODE/N}: a message from this node settles its {@link PendingStages} entry N first.
 */
final class RedisDeliveries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisDeliveries.class);

    /**
     * Deliveries of one channel that may wait on this node, and messages held back during its
     * recovery read: past it, what Redis sends for the channel is dropped and the listener told that
     * continuity is lost, rather than memory growing with a flood from other nodes. Twice the bound
     * at which this node refuses its own publishes, so that those are refused first.
     */
    static final int MAX_REMOTE_BACKLOG = 2 * RedisBroker.MAX_BACKLOG;

    /** This node's id in origin tags (and, later, in presence entries). */
    private final String node;
    /** {@link #MAX_REMOTE_BACKLOG}, smaller in tests. */
    private final int maxBacklog;

    private final DeliveryLanes lanes = new DeliveryLanes(DeliveryLanes.defaultThreads());
    /** This node's publishes whose stage has not completed. */
    final PendingStages<Publication> publishes = new PendingStages<>();
    /** This node's control commands whose stage has not completed. */
    final PendingStages<Void> controls = new PendingStages<>();

    /** The stream id of the last control command delivered, or null before the first. Control lane only. */
    private String lastControl;
    /** This node's start, as a stream id of the control log (this node's clock): nothing older is news to it. */
    private final String startedAt = System.currentTimeMillis() + "-0";
    /** Non-null while a control recovery read is under way: the live commands held back. Control lane only. */
    private List<String> heldControl;
    /** Counts control recovery reads: only the newest one's answer ends the hold. */
    private final AtomicInteger controlRecoveries = new AtomicInteger();

    /** Where the listener stands in each subscribed channel (by channel value). */
    private final ConcurrentHashMap<String, ChannelCursor> cursors = new ConcurrentHashMap<>();

    private volatile BrokerListener listener;

    RedisDeliveries(String node) {
        this(node, MAX_REMOTE_BACKLOG);
    }

    RedisDeliveries(String node, int maxBacklog) {
        this.node = node;
        this.maxBacklog = maxBacklog;
    }

    void start(BrokerListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The listener; throws if {@link #start} was not called. */
    BrokerListener listener() {
        BrokerListener l = listener;
        if (l == null) {
            throw new IllegalStateException("RedisBroker.start(listener) must be called first");
        }
        return l;
    }

    /** This node's id: random, one per broker instance. */
    String node() {
        return node;
    }

    /** The origin tag of this node's pending stage {@code id}. */
    String origin(long id) {
        return node + "/" + id;
    }

    static String presenceMessage(PresenceEvent event) {
        return "e " + RedisMessages.presenceEvent(event);
    }

    String controlMessage(long id, ControlCommand command) {
        return origin(id) + " " + RedisMessages.control(command);
    }

    /** How many deliveries of {@code channel} wait on this node. */
    int backlog(ChannelName channel) {
        return lanes.backlog(channel);
    }

    /** A new cursor for {@code channel}, which this node is subscribing to (replacing any old one). */
    ChannelCursor watch(ChannelName channel) {
        ChannelCursor cursor = new ChannelCursor(maxBacklog);
        cursors.put(channel.value(), cursor);
        return cursor;
    }

    /** This node unsubscribed from {@code channel}. */
    void unwatch(ChannelName channel) {
        cursors.remove(channel.value());
    }

    /** The cursor of {@code channel} while subscribed, or null. */
    ChannelCursor cursor(ChannelName channel) {
        return cursors.get(channel.value());
    }

    /**
     * The recovery read {@code recovery} of {@code channel} answered {@code page} (null: it failed):
     * in the channel's lane, delivers the missed publications, or tells the listener that
     * continuity is lost, then what was held back meanwhile.
     */
    void recovered(ChannelName channel, ChannelCursor cursor, ChannelCursor.Recovery recovery, HistoryPage page) {
        lanes.submit(channel, () -> {
            BrokerListener l = listener;
            if (l == null || cursor(channel) != cursor || !cursor.isNewest(recovery.number())) {
                return; // unsubscribed meanwhile, or a newer recovery read will end the hold
            }
            boolean overflowed = cursor.heldBackOverflowed();
            if (page != null && !overflowed && ChannelCursor.continues(recovery.after(), page)) {
                for (Publication p : page.publications()) {
                    if (cursor.advance(p)) {
                        l.onPublication(p);
                    }
                }
            } else if (overflowed) {
                LOG.warn(
                        "More than {} messages of {} arrived during its recovery read; its subscribers"
                                + " on this node are told that continuity is lost",
                        maxBacklog,
                        channel.value());
                l.onContinuityLost(channel);
            } else {
                LOG.warn(
                        "Publications of {} were missed while the Redis pub/sub connection was down and"
                                + " cannot be recovered; its subscribers on this node are told",
                        channel.value());
                if (page != null) {
                    cursor.restartAt(page.position());
                }
                l.onContinuityLost(channel);
            }
            // After an overflow, what was held back is the oldest part of what arrived, the rest
            // dropped: none of it is delivered (the subscribers told recover from history).
            List<String> held = cursor.endRecovery();
            if (!overflowed) {
                held.forEach(message -> deliverEvent(channel, message));
            }
        });
    }

    /**
     * A message on {@code channel}'s events pub/sub channel arrived (on the pub/sub connection's one
     * Lettuce thread, so these calls never overlap). Past {@link #maxBacklog} deliveries waiting in
     * the channel's lane, it is dropped, with those after it until the lane has delivered what it
     * held and then told the listener that continuity is lost (once per overflow).
     */
    void onEvents(ChannelName channel, String message) {
        ChannelCursor cursor = cursor(channel);
        if (cursor != null && cursor.isOverflowing()) {
            return; // dropped: the continuity-lost signal queued in the lane says so
        }
        if (lanes.backlog(channel) >= maxBacklog) {
            if (cursor == null) {
                return; // no local subscriber to tell
            }
            cursor.overflow();
            LOG.warn(
                    "More than {} deliveries of {} wait on this node; what Redis sends for it is dropped"
                            + " until they are done, and its subscribers on this node are told",
                    maxBacklog,
                    channel.value());
            lanes.submit(channel, () -> {
                cursor.overflowEnded();
                BrokerListener l = listener;
                if (l != null && cursor(channel) == cursor) {
                    l.onContinuityLost(channel);
                }
            });
            return;
        }
        lanes.submit(channel, () -> deliverEvent(channel, message));
    }

    /** A message on the control pub/sub channel arrived. */
    void onControl(String message) {
        lanes.submitControl(() -> deliverControl(message));
    }

    private void deliverEvent(ChannelName channel, String message) {
        BrokerListener l = listener;
        if (l == null) {
            return; // before start: nothing was subscribed for a listener yet
        }
        ChannelCursor cursor = cursor(channel);
        if (cursor != null && cursor.holdBack(message)) {
            return; // newer than what the recovery read under way delivers
        }
        if (message.startsWith("p ")) {
            // p ORIGIN OFFSET EPOCH BODY; the body (JSON) is the rest, spaces and all.
            int afterOrigin = message.indexOf(' ', 2);
            int afterOffset = message.indexOf(' ', afterOrigin + 1);
            int afterEpoch = message.indexOf(' ', afterOffset + 1);
            Publication p = RedisMessages.publication(
                    channel.value(),
                    Long.parseLong(message.substring(afterOrigin + 1, afterOffset)),
                    message.substring(afterOffset + 1, afterEpoch),
                    message.substring(afterEpoch + 1));
            settle(message.substring(2, afterOrigin), id -> publishes.complete(id, p));
            if (cursor == null || cursor.advance(p)) {
                l.onPublication(p); // not one a recovery read delivered already
            }
        } else if (message.startsWith("e ")) {
            l.onPresenceEvent(RedisMessages.presenceEvent(channel, message.substring(2)));
        } else {
            LOG.warn("Ignored a message on the events of {} that no Gatehouse node writes", channel.value());
        }
    }

    /** In the control lane: holds {@code message} back during a control recovery read, or delivers it. */
    private void deliverControl(String message) {
        if (heldControl == null) {
            deliverControlNow(message);
        } else if (heldControl.size() < maxBacklog) {
            heldControl.add(message);
        } else {
            LOG.warn(
                    "More than {} control commands arrived during a control recovery read; one is dropped", maxBacklog);
        }
    }

    /** In the control lane: delivers {@code message} ({@code ID ORIGIN COMMAND}) unless delivered already. */
    private void deliverControlNow(String message) {
        BrokerListener l = listener;
        if (l == null) {
            return;
        }
        int afterId = message.indexOf(' ');
        int afterOrigin = message.indexOf(' ', afterId + 1);
        String streamId = message.substring(0, afterId);
        settle(message.substring(afterId + 1, afterOrigin), id -> controls.complete(id, null));
        if (!streamId.equals(RedisControlLog.UNLOGGED)) {
            if (lastControl != null && !RedisControlLog.isAfter(streamId, lastControl)) {
                return; // read from the log after a reconnect, and live too
            }
            lastControl = streamId;
        }
        l.onControl(RedisMessages.control(message.substring(afterOrigin + 1)));
    }

    /**
     * Redis confirmed the control subscription again: from now on (in the control lane) live control
     * commands wait behind the read of what was missed. Returns the read's number.
     */
    int holdControl() {
        int number = controlRecoveries.incrementAndGet();
        lanes.submitControl(() -> {
            if (heldControl == null) {
                heldControl = new ArrayList<>();
            }
        });
        return number;
    }

    /**
     * The control recovery read {@code number} answered {@code read} (null: it failed): in the
     * control lane, delivers what was missed (after the last delivered, or after this node started),
     * then what was held back meanwhile.
     */
    void controlRecovered(int number, List<String> read) {
        lanes.submitControl(() -> {
            if (number != controlRecoveries.get() || heldControl == null) {
                return; // a newer read ends the hold
            }
            if (read == null) {
                LOG.warn("Control commands published while the Redis pub/sub connection was down could not be"
                        + " read; disconnects sent meanwhile may not have reached this node");
            } else {
                String floor = lastControl != null ? lastControl : startedAt;
                for (String message : read) {
                    if (RedisControlLog.isAfter(message.substring(0, message.indexOf(' ')), floor)) {
                        deliverControlNow(message);
                    }
                }
            }
            List<String> held = heldControl;
            heldControl = null;
            held.forEach(this::deliverControlNow);
        });
    }

    /** Runs {@code settle} with the stage number of {@code origin} if this node sent it. */
    private void settle(String origin, LongConsumer settle) {
        String mine = node + "/";
        if (origin.startsWith(mine)) {
            settle.accept(Long.parseLong(origin.substring(mine.length())));
        }
    }

    /** Ends delivery: the lanes' threads stop, what was not delivered is dropped. */
    @Override
    public void close() {
        lanes.close();
    }
}
