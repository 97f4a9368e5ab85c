package io.gatehouse.connection;

import io.gatehouse.accesslog.UpgradeAttempt;
import io.gatehouse.auth.TokenVerifier;
import io.gatehouse.hooks.WebhookEvents;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.stats.NodeStats;
import io.gatehouse.tasks.TaskCommands;
import java.time.Clock;
import java.time.Duration;

/**
 * The node's side of the client message protocol (SPEC §4): what every {@link ClientConnection}
 * shares, built once by {@code Gatehouse}, and the one way to open a connection over a socket.
 * Thread-safe. Its parts are this package's own: the transport only opens connections.
 *
 * @param authTimeout auth.timeout: how long a connection without a credential has to send {@code auth}
 * @param codec reads client frames
 * @param tokens verifies the token of an {@code auth} message
 * @param tasks the catch-up after connect and {@code cancel_task}
 * @param hooks told when a connection opens and closes (connection.opened, connection.closed)
 * @param stats answers {@code get_stats}
 */
public record ClientProtocol(
        Clock clock,
        Duration authTimeout,
        WireCodec codec,
        TokenVerifier tokens,
        RequestLimits limits,
        Hub hub,
        Replies replies,
        ChannelCommands channels,
        CredentialLifetime lifetime,
        DuplicateConnections duplicates,
        TaskCommands tasks,
        WebhookEvents hooks,
        NodeStats stats) {
    /**
     * A new connection over {@code transport}, which the upgrade {@code attempt} opened. The
     * transport then tells it how the socket opened ({@link ClientConnection#onAuthenticatedOpen},
     * {@link ClientConnection#onUnauthenticatedOpen} or {@link ClientConnection#refuse}).
     */
    public ClientConnection open(Transport transport, UpgradeAttempt attempt, String instance) {
        return new ClientConnection(this, transport, attempt, instance);
    }

    /** Where an authenticated connection gets its place: duplicates, connections per user and, across nodes, per IP. */
    ConnectionPlaces places() {
        return new ConnectionPlaces(duplicates, hub, limits);
    }
}
