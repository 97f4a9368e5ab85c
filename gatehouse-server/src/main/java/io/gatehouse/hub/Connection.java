package io.gatehouse.hub;

import io.gatehouse.auth.Principal;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import java.time.Instant;

/** What the {@link Hub} sees of one live, authenticated WebSocket connection. Thread-safe. */
public interface Connection {
    String id();

    Principal principal();

    Instant connectedAt();

    /** The client instance id (SPEC §7) the connection came with, or null: then it is nobody's duplicate. */
    String instanceId();

    /** The client's IP address as the server resolved it. */
    String clientIp();

    /** The {@code Origin} header of the upgrade, or null (a non-browser client). */
    String origin();

    /**
     * Queues one text frame without blocking. Returns false when the connection is closed or
     * can take no more, in which case the message was not queued.
     */
    boolean send(EncodedMessage message);

    /**
     * Subscribes to {@code channel} ({@code subscribe} true) or ends that subscription, as the server
     * API asked (POST users/{id}/subscribe|unsubscribe), telling the client; on the connection's own
     * thread, later.
     */
    void serverSubscription(ChannelName channel, boolean subscribe);

    /** Closes with the refusal's close code and reason. Idempotent. */
    void close(Refusal refusal);
}
