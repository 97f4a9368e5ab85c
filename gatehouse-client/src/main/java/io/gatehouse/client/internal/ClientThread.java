package io.gatehouse.client.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread a client does all its work on, and calls its listeners on: a daemon named
 * {@code gatehouse-client-N}. Work handed to it after {@link #shutdown()} is dropped (or, through
 * {@link #post}, answered by its fallback).
 */
final class ClientThread implements Executor {
    private static final String NAME = "gatehouse-client-";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    ClientThread() {
        int n = CLIENTS.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, NAME + n);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code work} on the thread; dropped after shutdown. */
    @Override
    public void execute(Runnable work) {
        post(work, () -> {});
    }

    /** Runs {@code work} on the thread, or {@code ifShutDown} here when it has ended. */
    void post(Runnable work, Runnable ifShutDown) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            ifShutDown.run();
        }
    }

    ScheduledFuture<?> schedule(Runnable work, long delayMillis) {
        return executor.schedule(work, delayMillis, TimeUnit.MILLISECONDS);
    }

    ScheduledFuture<?> every(Runnable work, long periodMillis) {
        return executor.scheduleWithFixedDelay(work, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Whether the caller runs on a client thread (any client's: they must not wait for each other). */
    static boolean isCurrent() {
        return Thread.currentThread().getName().startsWith(NAME);
    }

    void shutdown() {
        executor.shutdown();
    }

    static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
