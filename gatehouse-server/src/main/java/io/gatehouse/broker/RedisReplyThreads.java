package io.gatehouse.broker;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The threads on which a {@link RedisBroker}'s stages complete: never a Lettuce thread. */
final class RedisReplyThreads {
    private RedisReplyThreads() {}

    /** Daemon threads {@code namePrefix-N}, as many as the delivery lanes, gone when idle. */
    static ThreadPoolExecutor pool(String namePrefix) {
        int threads = DeliveryLanes.defaultThreads();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, namePrefix + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
