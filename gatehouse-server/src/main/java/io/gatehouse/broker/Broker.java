package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import java.util.concurrent.CompletionStage;

/**
 * Moves publications and control commands between the nodes of a deployment.
 *
 * <p>Contract, for every implementation: {@link #publish} assigns the channel's next offset and
 * delivers the publication to the listener of every node that {@linkplain #subscribe subscribed}
 * to the channel, each node seeing one channel's publications in offset order, each exactly once.
 * The returned stage completes after the offset is assigned. {@link #publishControl} reaches every
 * node, this one included. No method blocks the caller.
 */
public interface Broker extends AutoCloseable {
    /** Starts delivery to {@code listener}; called once, before anything else. */
    void start(BrokerListener listener);

    CompletionStage<Publication> publish(ChannelName channel, String dataJson);

    /** The newest offset and the epoch of {@code channel}. */
    CompletionStage<StreamPosition> position(ChannelName channel);

    /** This node wants the publications of {@code channel} (its first local subscriber arrived). */
    void subscribe(String channel);

    /** This node no longer wants them (its last local subscriber left). */
    void unsubscribe(String channel);

    CompletionStage<Void> publishControl(ControlCommand command);

    /** Whether the broker can be reached (for {@code /ready}). */
    boolean isReachable();

    @Override
    void close();
}
