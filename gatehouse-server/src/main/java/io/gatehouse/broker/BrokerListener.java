package io.gatehouse.broker;

import io.gatehouse.protocol.Publication;

/**
 * Receives what a {@link Broker} delivers to this node. Called on broker threads, one call at a time
 * per channel (and one at a time for control commands), calls for different channels in parallel;
 * must not block: a slow call holds up the rest of its channel.
 */
public interface BrokerListener {
    /** A publication on a channel this node subscribed to, in offset order per channel. */
    void onPublication(Publication publication);

    /** A client joined or left a channel (only for namespaces with {@code join_leave}), in the channel's order. */
    void onPresenceEvent(PresenceEvent event);

    void onControl(ControlCommand command);
}
