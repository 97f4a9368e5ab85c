package io.gatehouse.connection;

import io.gatehouse.auth.Principal;
import io.gatehouse.cluster.SharedLimits.Count;
import io.gatehouse.hub.Hub;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Whether an authenticated connection gets a place (SPEC §7): not a duplicate that
 * {@code limits.duplicate_session_policy: reject} refuses, not past
 * {@code limits.connections_per_user}. This node's connections are checked first, at once; with
 * several nodes the deployment's counts are then checked and counted in one step
 * ({@link io.gatehouse.limits.ConnectionCounts#place}): the same two and {@code limits.connections_per_ip}.
 * What that counted is given back when the connection closes ({@link #release}).
 */
record ConnectionPlaces(DuplicateConnections duplicates, Hub hub, RequestLimits limits) {
    /**
     * Decides the place of {@code p}'s connection from {@code ip} as {@code client}, then calls
     * {@code then} with the refusal (null: it has its place) and what to release when it closes. On a
     * single node, and whenever this node refuses, {@code then} runs before this returns; otherwise
     * on {@code connectionThread}.
     */
    void take(
            Principal p,
            ClientInstance client,
            String ip,
            java.util.concurrent.Executor connectionThread,
            BiConsumer<Refusal, List<Count>> then) {
        Refusal here = refusalHere(p, client);
        if (here != null || !limits.isShared()) {
            then.accept(here, List.of());
            return;
        }
        List<Count> counts = new ArrayList<>();
        List<Supplier<Refusal>> refusals = new ArrayList<>();
        counts.add(new Count("ip", ip, limits.connectionsPerIp().max()));
        refusals.add(limits::tooManyConnectionsFromIp);
        counts.add(new Count("user", p.user().id(), limits.connectionsPerUser()));
        refusals.add(limits::tooManyConnectionsOfUser);
        Count duplicate = duplicates.countAcrossNodes(client);
        if (duplicate != null) {
            counts.add(duplicate);
            refusals.add(DuplicateConnections::duplicateRefusal);
        }
        limits.acrossNodes().place(counts).thenAccept(placed -> {
            try {
                connectionThread.execute(() -> then.accept(
                        placed.full() < 0 ? null : refusals.get(placed.full()).get(), placed.counted()));
            } catch (RejectedExecutionException stopping) {
                release(placed.counted()); // the connection's loop is gone: nothing else would
            }
        });
    }

    /** Why this node alone refuses {@code p} a place (a duplicate to reject, too many connections), or null. */
    private Refusal refusalHere(Principal p, ClientInstance client) {
        Refusal duplicate = duplicates.admit(client);
        if (duplicate != null || hub.connectionsOf(p.user().id()).size() < limits.connectionsPerUser()) {
            return duplicate;
        }
        return limits.tooManyConnectionsOfUser();
    }

    /** The connection that {@code counted} counted across nodes closed. */
    void release(List<Count> counted) {
        limits.acrossNodes().release(counted);
    }
}
