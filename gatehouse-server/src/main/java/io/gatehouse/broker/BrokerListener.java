package io.gatehouse.broker;

import io.gatehouse.protocol.Publication;

/**
 * Receives what a {@link Broker} delivers to this node. Called on broker threads; must not block.
 */
public interface BrokerListener {
    /** A publication on a channel this node subscribed to, in offset order per channel. */
    void onPublication(Publication publication);

    /** A client joined or left a channel (only for namespaces with {@code join_leave}). */
    void onPresenceEvent(PresenceEvent event);

    void onControl(ControlCommand command);
}
