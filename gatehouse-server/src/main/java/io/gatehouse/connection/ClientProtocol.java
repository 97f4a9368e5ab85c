package io.gatehouse.connection;

import io.gatehouse.accesslog.UpgradeAttempt;
import io.gatehouse.auth.TokenVerifier;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.WireCodec;
import java.time.Clock;
import java.time.Duration;

/**
 * The node's side of the client message protocol (SPEC §4): what every {@link ClientConnection}
 * shares, built once by {@code Gatehouse}, and the one way to open a connection over a socket.
 * Thread-safe. Its parts are this package's own: the transport only opens connections.
 */
public final class ClientProtocol {
    final Clock clock;
    /** auth.timeout: how long a connection without a credential has to send {@code auth}. */
    final Duration authTimeout;
    /** Reads client frames. */
    final WireCodec codec;
    /** Verifies the token of an {@code auth} message. */
    final TokenVerifier tokens;

    final RequestLimits limits;
    final Hub hub;
    final Replies replies;
    final ChannelCommands channels;
    final CredentialLifetime lifetime;
    final DuplicateConnections duplicates;

    public ClientProtocol(
            Clock clock,
            Duration authTimeout,
            WireCodec codec,
            TokenVerifier tokens,
            RequestLimits limits,
            Hub hub,
            Replies replies,
            ChannelCommands channels,
            CredentialLifetime lifetime,
            DuplicateConnections duplicates) {
        this.clock = clock;
        this.authTimeout = authTimeout;
        this.codec = codec;
        this.tokens = tokens;
        this.limits = limits;
        this.hub = hub;
        this.replies = replies;
        this.channels = channels;
        this.lifetime = lifetime;
        this.duplicates = duplicates;
    }

    /**
     * A new connection over {@code transport}, which the upgrade {@code attempt} opened. The
     * transport then tells it how the socket opened ({@link ClientConnection#onAuthenticatedOpen},
     * {@link ClientConnection#onUnauthenticatedOpen} or {@link ClientConnection#refuse}).
     */
    public ClientConnection open(Transport transport, UpgradeAttempt attempt) {
        return new ClientConnection(this, transport, attempt);
    }
}
