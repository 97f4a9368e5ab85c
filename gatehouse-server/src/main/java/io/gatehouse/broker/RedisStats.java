package io.gatehouse.broker;

import io.gatehouse.broker.RedisScripts.Script;
import io.gatehouse.cluster.SharedStats;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SharedStats} of a deployment on Redis (docs/redis.md, "Statistics"): the hash
 * {@code PREFIX stats}, one field per node id holding that node's newest sample, read back for the
 * nodes whose liveness in {@code PREFIX nodes} has not expired ({@code redis-stats-alive.lua}).
 * Stages complete on {@code replies}. Thread-safe.
 */
final class RedisStats implements SharedStats {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStats.class);

    /** The hash lives this long after a node last wrote it: only dead nodes' samples are that old. */
    static final Duration EXPIRY = Duration.ofDays(1);

    private final RedisAsyncCommands<String, String> commands;
    private final RedisScripts scripts;
    private final String prefix;
    private final String node;
    private final Executor replies;

    RedisStats(
            RedisAsyncCommands<String, String> commands,
            RedisScripts scripts,
            String prefix,
            String node,
            Executor replies) {
        this.commands = commands;
        this.scripts = scripts;
        this.prefix = prefix;
        this.node = node;
        this.replies = replies;
    }

    @Override
    public void put(String nodeSampleJson) {
        try {
            commands.hset(prefix + "stats", node, nodeSampleJson);
            commands.pexpire(prefix + "stats", EXPIRY.toMillis());
        } catch (RuntimeException e) {
            LOG.debug("This node's statistics did not reach Redis; the next sample tries again", e);
        }
    }

    @Override
    public CompletionStage<List<String>> alive() {
        CompletableFuture<List<Object>> answer;
        try {
            answer = scripts.run(
                    Script.STATS_ALIVE,
                    new String[] {prefix + "nodes", prefix + "stats"},
                    node,
                    Long.toString(RedisLimits.DEAD_GRACE.toMillis()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return answer.thenApplyAsync(
                reply -> reply.stream().map(String::valueOf).toList(), replies);
    }
}
