package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
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

    /**
     * {@code client} was listed in {@code channel}'s presence by a node that died (its heartbeat
     * stopped for presence.node_ttl) and has been removed from it. Called on one node of the
     * deployment for each such entry, so that its leave is announced once; not in the channel's
     * order (the announcement itself travels in it). The {@link MemoryBroker}, whose node cannot
     * die without its presence, never calls it. {@code connectionsLeft}: how many connections of
     * the client's user the channel still lists (0: this was the last).
     */
    void onPresenceExpired(ChannelName channel, PresenceClient client, int connectionsLeft);

    /**
     * Publications of {@code channel} were lost to this node and cannot be delivered: the broker
     * missed them (its connection was down) and its history no longer holds them, or the channel's
     * epoch changed meanwhile. Called in the channel's order: later publications follow the call,
     * none of the missing ones does. The subscribers of the channel on this node must be told that
     * they cannot recover (the {@link MemoryBroker}, which cannot miss any, never calls it).
     */
    void onContinuityLost(ChannelName channel);
}
