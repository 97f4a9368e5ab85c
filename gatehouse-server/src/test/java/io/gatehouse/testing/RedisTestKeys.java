package io.gatehouse.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys a test's deployment leaves in the shared Redis at 127.0.0.1:6379 (.ci/run starts it):
 * each test or class runs under a key prefix of its own and deletes what is under it at the end.
 */
public final class RedisTestKeys {
    /** The shared Redis the tests use. */
    public static final String REDIS_URL = "redis://127.0.0.1:6379/0";

    private RedisTestKeys() {}

    /** Deletes every key of the shared Redis that starts with {@code prefix}. */
    public static void deleteUnder(String prefix) {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            Set<String> keys = new TreeSet<>();
            ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
            KeyScanCursor<String> cursor = redis.scan(match);
            keys.addAll(cursor.getKeys());
            while (!cursor.isFinished()) {
                cursor = redis.scan(ScanCursor.of(cursor.getCursor()), match);
                keys.addAll(cursor.getKeys());
            }
            if (!keys.isEmpty()) {
                redis.del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }
}
