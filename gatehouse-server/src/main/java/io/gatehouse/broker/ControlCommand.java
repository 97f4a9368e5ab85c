package io.gatehouse.broker;

import io.gatehouse.protocol.Refusal;

/** A command for every node, carried by the {@link Broker} so that it holds across nodes. */
public sealed interface ControlCommand {
    /** Close every connection of {@code userId} with {@code refusal}. */
    record DisconnectUser(String userId, Refusal refusal) implements ControlCommand {}

    /** Close the connection {@code connectionId} (on whichever node holds it) with {@code refusal}. */
    record DisconnectConnection(String connectionId, Refusal refusal) implements ControlCommand {}

    /** Close every connection authenticated by the credential {@code credentialId} (a prefix or fingerprint). */
    record DisconnectCredential(String credentialId, Refusal refusal) implements ControlCommand {}

    /**
     * A newer connection, {@code newConnectionId} (opened at {@code since}), of the client instance
     * {@code instanceId} took over the credential {@code credentialId}: close every connection of that
     * credential and instance opened before with 4409 CONNECTION_REPLACED.
     */
    record ReplaceCredential(String credentialId, String instanceId, String newConnectionId, java.time.Instant since)
            implements ControlCommand {}

    /**
     * Subscribe every connection of {@code userId} to {@code channel}, or end their subscriptions to
     * it ({@code subscribe} false), as the server API asked (POST users/{id}/subscribe|unsubscribe).
     */
    record ServerSubscription(String userId, String channel, boolean subscribe) implements ControlCommand {}

    /** Send every connection of {@code owner} a task_progress of {@code taskJson} (a task as the protocol shows it). */
    record TaskChanged(String owner, String taskJson) implements ControlCommand {}
}
