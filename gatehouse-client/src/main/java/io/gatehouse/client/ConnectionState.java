package io.gatehouse.client;

/**
 * Where a {@link GatehouseClient} stands. It moves CONNECTING → CONNECTED → (a close)
 * RECONNECT_SCHEDULED → CONNECTING ... until the server refuses it for good (STOPPED) or the
 * application closes it (CLOSED).
 */
public enum ConnectionState {
    /** Asking the token provider, opening the WebSocket, waiting for {@code connection_established}. */
    CONNECTING,
    /** {@code connection_established} arrived: requests are sent at once. */
    CONNECTED,
    /**
     * Disconnected; a reconnect is due after {@link StateChange#delay()} (the backoff, or the close
     * reason's {@code retry_after_ms} when longer).
     */
    RECONNECT_SCHEDULED,
    /**
     * Refused for good (client action "log in" or "stop"): no reconnect until the application calls
     * {@link GatehouseClient#reconnect()}.
     */
    STOPPED,
    /** The application called {@link GatehouseClient#close()}. Final. */
    CLOSED
}
