package io.gatehouse.protocol;

import java.time.Instant;

/** One connection in a channel's presence (SPEC §6: {connection_id, user_id, name, connected_at}). */
public record PresenceClient(String connectionId, String userId, String name, Instant connectedAt) {}
