package io.gatehouse.broker;

import io.gatehouse.broker.RedisScripts.Script;
import io.gatehouse.cluster.SharedLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The {@link SharedLimits} of a deployment on Redis (docs/redis.md, "Limits"), on the broker's
 * command connection. Each call is one Lua script ({@code redis-limit-bucket.lua},
 * {@code redis-limit-count.lua}) on Redis's clock, so a check and its update are one step that no
 * other node can come between. Keys:
 * <ul>
 *   <li>{@code PREFIX limit:NAME:{KEY}}: a token bucket, gone once it is full again;
 *   <li>{@code PREFIX count:NAME:{KEY}}: open connections, one hash field per node, expiring
 *       {@link #COUNT_EXPIRY} after its last change;
 *   <li>{@code PREFIX nodes}: the nodes' liveness (written by the broker's heartbeat, only read
 *       here): a node's counts stop counting once its score, Redis time in ms, has passed, and its
 *       fields are deleted {@link #DEAD_GRACE} later (at once when it is not in the set).
 * </ul>
 * Stages complete on {@code replies}, never on a Lettuce thread. Thread-safe.
 */
final class RedisLimits implements SharedLimits {
    /** A count no node changed for this long is gone: it can only be one left by nodes that died. */
    static final Duration COUNT_EXPIRY = Duration.ofDays(1);

    /** How long a dead node's fields stay before a count deletes them (a late heartbeat is not death). */
    static final Duration DEAD_GRACE = Duration.ofMinutes(5);

    private final RedisScripts scripts;
    private final String prefix;
    private final String node;
    private final Executor replies;

    RedisLimits(RedisScripts scripts, String prefix, String node, Executor replies) {
        this.scripts = scripts;
        this.prefix = prefix;
        this.node = node;
        this.replies = replies;
    }

    @Override
    public String node() {
        return node;
    }

    /** The sorted set of the nodes' liveness: member the node id, score alive until (Redis time, ms). */
    String nodesKey() {
        return prefix + "nodes";
    }

    String bucketKey(Bucket b) {
        return prefix + "limit:" + b.name() + ":{" + b.key() + "}";
    }

    String countKey(Count c) {
        return prefix + "count:" + c.name() + ":{" + c.key() + "}";
    }

    @Override
    public CompletionStage<Wait> buckets(List<BucketStep> steps) {
        String[] keys = new String[steps.size()];
        String[] args = new String[3 * steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            BucketStep s = steps.get(i);
            keys[i] = bucketKey(s.bucket());
            args[3 * i] = s.step().name().toLowerCase(Locale.ROOT);
            args[3 * i + 1] = Double.toString(s.bucket().ratePerSecond());
            args[3 * i + 2] = Integer.toString(s.bucket().burst());
        }
        return run(Script.LIMIT_BUCKET, keys, args, reply -> {
            long wait = number(reply.get(0));
            return wait <= 0 ? Wait.NONE : new Wait(wait, (int) number(reply.get(1)) - 1);
        });
    }

    @Override
    public CompletionStage<Integer> acquire(List<Count> counts) {
        List<String> args = new ArrayList<>(
                List.of("acquire", node, Long.toString(COUNT_EXPIRY.toMillis()), Long.toString(DEAD_GRACE.toMillis())));
        counts.forEach(c -> args.add(Integer.toString(c.max())));
        return run(
                Script.LIMIT_COUNT,
                countKeys(counts),
                args.toArray(String[]::new),
                reply -> (int) number(reply.get(0)) - 1);
    }

    @Override
    public CompletionStage<Void> release(List<Count> counts) {
        String[] args = {"release", node, Long.toString(COUNT_EXPIRY.toMillis()), Long.toString(DEAD_GRACE.toMillis())};
        return run(Script.LIMIT_COUNT, countKeys(counts), args, reply -> null);
    }

    private String[] countKeys(List<Count> counts) {
        String[] keys = new String[counts.size() + 1];
        keys[0] = nodesKey();
        for (int i = 0; i < counts.size(); i++) {
            keys[i + 1] = countKey(counts.get(i));
        }
        return keys;
    }

    private <T> CompletionStage<T> run(
            Script script, String[] keys, String[] args, java.util.function.Function<List<Object>, T> decode) {
        CompletableFuture<List<Object>> answer;
        try {
            answer = scripts.run(script, keys, args);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // Lettuce refused it outright (disconnected)
        }
        return answer.thenApplyAsync(decode, replies);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }
}
