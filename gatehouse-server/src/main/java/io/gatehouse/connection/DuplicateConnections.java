package io.gatehouse.connection;

import io.gatehouse.broker.Broker;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.cluster.SharedLimits;
import io.gatehouse.config.GatehouseConfig.DuplicatePolicy;
import io.gatehouse.hub.Hub;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Instant;

/**
 * {@code limits.duplicate_session_policy} (SPEC §7): what a new connection of a
 * {@link ClientInstance} does to the ones that instance already has open. {@code replace} closes
 * the older ones with 4409 CONNECTION_REPLACED on every node (through the broker), {@code reject}
 * refuses the newcomer while one is open (on this node, and with several nodes on any node:
 * {@link #countAcrossNodes}), {@code allow} lets them be. Thread-safe.
 */
public record DuplicateConnections(DuplicatePolicy policy, Hub hub, Broker broker) {
    /** Null when a new connection of {@code instance} may open; otherwise why not. */
    Refusal admit(ClientInstance instance) {
        if (policy == DuplicatePolicy.REJECT
                && instance.named()
                && hub.connectionsWith(instance.credentialId()).stream()
                        .anyMatch(c -> instance.instanceId().equals(c.instanceId()))) {
            return duplicateRefusal();
        }
        return null;
    }

    /** The refusal of a connection whose instance already has one open, under {@code reject}. */
    static Refusal duplicateRefusal() {
        return RefusalCode.CONNECTION_REPLACED.refusal(
                "Another connection of this client instance is open (limits.duplicate_session_policy: reject)");
    }

    /**
     * Under {@code reject}, the count across nodes of {@code instance}'s open connections (at most
     * one); null when the policy or an unnamed instance has nothing to count.
     */
    SharedLimits.Count countAcrossNodes(ClientInstance instance) {
        if (policy != DuplicatePolicy.REJECT || !instance.named()) {
            return null;
        }
        return new SharedLimits.Count("instance", instance.credentialId() + " " + instance.instanceId(), 1);
    }

    /**
     * Connection {@code connectionId} of {@code instance} is open, or took that instance over (a
     * refresh) at {@code since}: under {@code replace}, the instance's connections older than that
     * close, here and on every other node.
     */
    void opened(ClientInstance instance, String connectionId, Instant since) {
        if (policy == DuplicatePolicy.REPLACE && instance.named()) {
            broker.publishControl(new ControlCommand.ReplaceCredential(
                    instance.credentialId(), instance.instanceId(), connectionId, since));
        }
    }
}
