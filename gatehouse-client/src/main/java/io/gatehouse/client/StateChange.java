package io.gatehouse.client;

import io.gatehouse.protocol.Refusal;
import java.time.Duration;
import java.util.Objects;

/**
 * One move of the connection state, and why.
 *
 * @param state the new state
 * @param closeCode the WebSocket close code that caused it (1006 for a dropped connection or a
 *     failed upgrade), or 0 when no close did (connecting, connected, closed by the application)
 * @param refusal the refusal the server gave (a close reason, or the body of an HTTP refusal
 *     before the upgrade), or null when there was none
 * @param delay for {@link ConnectionState#RECONNECT_SCHEDULED}, how long until the reconnect;
 *     otherwise zero
 */
public record StateChange(ConnectionState state, int closeCode, Refusal refusal, Duration delay) {
    public StateChange {
        Objects.requireNonNull(state, "state");
        delay = delay == null ? Duration.ZERO : delay;
    }
}
