package io.gatehouse.broker;

import io.gatehouse.protocol.Refusal;

/** A command for every node, carried by the {@link Broker} so that it holds across nodes. */
public sealed interface ControlCommand {
    /** Close every connection of {@code userId} with {@code refusal}. */
    record DisconnectUser(String userId, Refusal refusal) implements ControlCommand {
    }
}
