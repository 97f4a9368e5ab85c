package io.gatehouse.cluster;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The limits that hold across all nodes of a deployment (SPEC §10), kept where every node sees
 * them (the Redis broker's {@code RedisLimits}; docs/redis.md, "Limits"). A single node has none:
 * its per-node limits are the whole answer. Each call is one atomic step, so two nodes checking
 * at once cannot both pass a limit that has room for one.
 *
 * <p>Stages complete off the caller's thread (never on an event loop of Redis's client), and fail
 * when the store cannot be reached or does not answer; callers then fail open (the limits package's
 * {@code FailOpen}).
 *
 * <p>The package {@code cluster} holds what the nodes of a deployment share and imports nothing of
 * Gatehouse, so that the broker (which implements it) and the limits (which call it) may both
 * import it without a package cycle: the config package imports the broker.
 */
public interface SharedLimits {
    /** What a step does to its bucket. */
    enum Step {
        /** Takes a token, if every take and peek of the call has one. */
        TAKE,
        /** Only checks that a token is there. */
        PEEK,
        /** Gives one back (never past the burst), when the call's takes and peeks pass. */
        GIVE
    }

    /**
     * A token bucket: {@code name} says which limit ({@code upgrades_ip}), {@code key} whose bucket
     * (a client IP, a hashed user name).
     */
    record Bucket(String name, String key, double ratePerSecond, int burst) {}

    /** One step on one bucket. */
    record BucketStep(Step step, Bucket bucket) {}

    /**
     * The answer of {@link #buckets}: {@code waitMillis} 0 when every step passed (and was done),
     * else the wait of the refusing step, {@code refused} its index in the call.
     */
    record Wait(long waitMillis, int refused) {
        public static final Wait NONE = new Wait(0, -1);

        public boolean passed() {
            return waitMillis <= 0;
        }
    }

    /**
     * A count of open connections across nodes: {@code name} says which ({@code user}), {@code key}
     * whose; at most {@code max} (acquire).
     */
    record Count(String name, String key, int max) {}

    /** This node's id among the deployment's nodes. */
    String node();

    /** Runs {@code steps} as one step: every take and every peek passes, and all are done; or none is. */
    CompletionStage<Wait> buckets(List<BucketStep> steps);

    /**
     * Adds one connection of this node to each of {@code counts}, all or none: -1 when added, else the
     * index of the first count already at its maximum (nothing added). Counts of nodes whose
     * liveness expired do not count.
     */
    CompletionStage<Integer> acquire(List<Count> counts);

    /** Takes back one connection of this node from each of {@code counts}, which {@link #acquire} added. */
    CompletionStage<Void> release(List<Count> counts);
}
