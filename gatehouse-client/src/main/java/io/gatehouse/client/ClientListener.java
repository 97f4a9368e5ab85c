package io.gatehouse.client;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.ServerMessage.ConnectionEstablished;

/**
 * What the application hears about the connection. Every method has an empty default, so an
 * application implements the ones it needs. All are called on the client thread, one at a time, in
 * the order things happened; they must not block (a slow listener delays everything the client does,
 * and the server closes a connection that does not read with {@code 4508 SLOW_CONSUMER}).
 */
public interface ClientListener {
    /** Every state change, with the close code, refusal and reconnect delay behind it. */
    default void onStateChange(StateChange change) {}

    /** {@code connection_established}: after each successful connect and reconnect. */
    default void onConnected(ConnectionEstablished established) {}

    /**
     * Authentication failed and the same credential will not do (client action "log in":
     * {@code TOKEN_INVALID}, {@code TOKEN_REVOKED}, a {@code TOKEN_EXPIRED} that a fresh token did
     * not cure, ...). The client has stopped; log the user in again, then call
     * {@link GatehouseClient#reconnect()}. {@link Refusal#hint()} says what happened, for people.
     */
    default void onAuthError(Refusal refusal) {}

    /**
     * The server ended the connection for a reason other than authentication (client action
     * "stop": {@code CONNECTION_REPLACED}, {@code DISCONNECTED}, {@code MESSAGE_TOO_BIG}, ...). The
     * client has stopped and will not retry; this is not a logout.
     */
    default void onStopped(Refusal refusal) {}

    /**
     * A publication to the user's personal channel {@code #<user id>}, which every connection is
     * subscribed to on connect (docs/protocol.md, "Messages").
     */
    default void onPersonalMessage(Publication publication) {}
}
