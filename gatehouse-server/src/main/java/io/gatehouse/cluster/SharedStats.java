package io.gatehouse.cluster;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the nodes of a deployment leave their newest statistics for each other (the Redis broker's
 * {@code RedisStats}; docs/redis.md, "Statistics"), so that any node's {@code get_stats} can answer
 * for every node and in total. A single node has none.
 */
public interface SharedStats {
    /** Leaves this node's newest sample, {@code {node, now}} as JSON text; nothing waits for it. */
    void put(String nodeSampleJson);

    /**
     * The newest samples ({@code {node, now}} as JSON text) of every node that counts as alive, this
     * one's included; completes off the caller's thread, fails when the store does not answer.
     */
    CompletionStage<List<String>> alive();
}
