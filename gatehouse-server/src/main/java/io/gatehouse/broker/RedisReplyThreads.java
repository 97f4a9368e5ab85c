package io.gatehouse.broker;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a {@link RedisBroker}'s stages complete: Lettuce answers on its event loops, which must
 * never run a caller's code, so each answer is handed to one of these threads
 * ({@value #THREAD_PREFIX}-N, as many as {@link DeliveryLanes#defaultThreads()}, ended when idle).
 * Once {@link #shutdown} a task runs on the caller's thread: there is no pool left to wait for.
 */
final class RedisReplyThreads implements Executor {
    static final String THREAD_PREFIX = "gatehouse-redis-reply";

    private final ThreadPoolExecutor pool;

    RedisReplyThreads() {
        int threads = DeliveryLanes.defaultThreads();
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, THREAD_PREFIX + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable work) {
        try {
            pool.execute(work);
        } catch (RejectedExecutionException e) {
            work.run(); // shut down
        }
    }

    void shutdown() {
        pool.shutdown();
    }
}
