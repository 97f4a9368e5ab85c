package io.gatehouse.hub;

import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.Recovery;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One connection's subscription to one channel. It begins <em>starting</em>: the hub's fan-out
 * already reaches it, but it holds those publications back until {@link #start} has read history,
 * then merges the two ({@link Recovery}) so that the client gets every publication after its
 * position exactly once and in order. This is the race where a publication arriving during the
 * history read would otherwise be lost or doubled. Once live, it forwards each publication newer
 * than the last one it passed on. Thread-safe: the fan-out calls in from broker threads.
 */
public final class Subscription {
    /** Held-back publications beyond this mean the history read stalled: give up on the client. */
    static final int MAX_HELD_BACK = 10_000;

    private final Connection connection;
    private final ChannelName channel;
    private final CompletionStage<Void> brokerReady;
    private final CompletableFuture<StreamPosition> started = new CompletableFuture<>();
    /** Non-null while starting. Guarded by this. */
    private List<Publication> heldBack = new ArrayList<>();
    /** The newest publication the client has, once live. Guarded by this. */
    private String epoch;

    private long offset;
    /** Guarded by this. */
    private boolean ended;
    /**
     * Its own join came back from the broker: the joins and leaves delivered from here on were
     * published after it, so they are news to this client. Guarded by this.
     */
    private boolean hearsPresence;
    /** The client as the hub listed it in the channel's presence (set before its join goes out), or null. */
    private volatile PresenceClient listedAs;
    /** Whether the application re-checks it ({@link #claimRechecks}). Under the lock. */
    private boolean rechecked;

    /** Done once its join was listed and announced: its leave goes after it. Null while not listed. */
    private volatile java.util.concurrent.CompletionStage<Void> joined;

    Subscription(Connection connection, ChannelName channel, CompletionStage<Void> brokerReady) {
        this.connection = connection;
        this.channel = channel;
        this.brokerReady = brokerReady;
    }

    public Connection connection() {
        return connection;
    }

    public ChannelName channel() {
        return channel;
    }

    /** Completes once this node receives the channel's publications: read history after it. */
    public CompletionStage<Void> brokerReady() {
        return brokerReady;
    }

    /** Completes with the position the subscription went live at. */
    public CompletionStage<StreamPosition> started() {
        return started;
    }

    /**
     * Goes live: computes the {@link Recovery} from {@code since} and {@code page}, hands it to
     * {@code announce} (which sends {@code subscribed}), then forwards the held-back publications
     * it leaves live. All under this subscription's lock, so no live publication overtakes them.
     * Returns null if the subscription ended meanwhile.
     */
    public synchronized Recovery start(
            StreamPosition since,
            HistoryPage page,
            Function<Publication, EncodedMessage> encode,
            Consumer<Recovery> announce) {
        if (ended || heldBack == null) {
            return null;
        }
        Recovery recovery = Recovery.of(since, page, heldBack);
        heldBack = null;
        epoch = recovery.position().epoch();
        offset = recovery.position().offset();
        announce.accept(recovery);
        for (Publication p : recovery.live()) {
            forward(p, encode.apply(p));
        }
        started.complete(new StreamPosition(offset, epoch));
        return recovery;
    }

    /** Fan-out: forwards {@code p} if live, holds it back while starting. Returns whether it was sent. */
    synchronized boolean deliver(Publication p, EncodedMessage frame) {
        if (ended) {
            return false;
        }
        if (heldBack != null) {
            heldBack.add(p);
            if (heldBack.size() > MAX_HELD_BACK) {
                ended = true;
                heldBack = null;
                connection.close(RefusalCode.SLOW_CONSUMER.refusal(
                        "The subscription to " + channel + " could not catch up; reconnect and recover"));
            }
            return false;
        }
        return forward(p, frame);
    }

    /**
     * A frame of the server's own for this subscription's client (a {@code stats_update} of
     * {@code gatehouse:stats}), sent only once live: never before {@code subscribed}. Returns whether
     * it was sent.
     */
    synchronized boolean push(EncodedMessage frame) {
        return !ended && heldBack == null && connection.send(frame);
    }

    /**
     * Fan-out of a join or leave: whether it goes to this subscription's client. Those ordered after
     * its own join do (the broker gives a channel one order; earlier ones are in the presence the
     * client can read); none about its own connection. Its own join, coming back, starts it hearing.
     * Under the lock, so that nothing is heard before {@link #start} has sent {@code subscribed}.
     */
    synchronized boolean hears(PresenceEvent event) {
        if (event.client().connectionId().equals(connection.id())) {
            if (event.kind() == PresenceEvent.Kind.JOIN && listedAs != null) {
                hearsPresence = true;
            }
            return false;
        }
        return hearsPresence && !ended;
    }

    /** The client as listed in the channel's presence (to unlist it when this ends), or null. */
    PresenceClient listedAs() {
        return listedAs;
    }

    void listedAs(PresenceClient client) {
        listedAs = client;
    }

    /**
     * Whether the caller is the first to start this subscription's re-checks by the application
     * (channels.proxy): true once, so that one subscription never has two timers.
     */
    public synchronized boolean claimRechecks() {
        if (rechecked) {
            return false;
        }
        rechecked = true;
        return true;
    }

    java.util.concurrent.CompletionStage<Void> joined() {
        return joined;
    }

    void joined(java.util.concurrent.CompletionStage<Void> stage) {
        joined = stage;
    }

    synchronized void end() {
        ended = true;
        heldBack = null;
        started.cancel(false);
    }

    private boolean forward(Publication p, EncodedMessage frame) {
        if (p.epoch().equals(epoch) && p.offset() <= offset) {
            return false; // the client has it already
        }
        epoch = p.epoch();
        offset = p.offset();
        return connection.send(frame);
    }
}
