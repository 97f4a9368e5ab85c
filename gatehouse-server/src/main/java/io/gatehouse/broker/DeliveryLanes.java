package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a broker's calls to its listener off the publisher's thread, in lanes: one per channel with
 * deliveries pending, and one for control commands. A lane runs its deliveries one at a time, in the
 * order they were handed in; lanes share a small pool of daemon threads ({@value #THREAD_PREFIX}-N,
 * one per core), so one channel's slow fan-out holds up no other channel and no publisher. A
 * channel's lane exists only while it has work: an idle channel costs no thread and no entry.
 * A delivery that throws is logged, and its lane goes on with the next.
 */
final class DeliveryLanes implements AutoCloseable {
    static final String THREAD_PREFIX = "gatehouse-delivery";

    /** Deliveries a lane runs before it lets the lanes queued behind it have the thread. */
    static final int BATCH = 64;

    /** How long {@link #close} waits for a delivery in progress to return. */
    static final long CLOSE_WAIT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLanes.class);

    private final ThreadPoolExecutor pool;
    /** Channel value to its lane, while the lane has work. */
    private final ConcurrentHashMap<String, Lane> byChannel = new ConcurrentHashMap<>();
    /** Control commands: a lane of their own, so a busy channel never delays a disconnect. */
    private final Lane control = new Lane(null);

    DeliveryLanes(int threads) {
        pool = new ThreadPoolExecutor(
                threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads());
        // A broker with nothing to deliver keeps no threads.
        pool.allowCoreThreadTimeOut(true);
    }

    /** One thread per core, at least two: a blocked lane must not stall every other one. */
    static int defaultThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs {@code delivery} after every delivery handed in before it for {@code channel}. Callers
     * that race decide the order themselves, by handing in under a lock of the channel's.
     */
    void submit(ChannelName channel, Runnable delivery) {
        while (true) {
            Lane lane = byChannel.computeIfAbsent(channel.value(), Lane::new);
            if (lane.offer(delivery)) {
                return;
            }
            // That lane ran dry and retired after its last delivery returned: a fresh one follows it.
        }
    }

    /** How many deliveries of {@code channel} are waiting (not counting one that is running). */
    int backlog(ChannelName channel) {
        Lane lane = byChannel.get(channel.value());
        return lane == null ? 0 : lane.size();
    }

    /** Runs {@code delivery} after every control delivery handed in before it. */
    void submitControl(Runnable delivery) {
        control.offer(delivery);
    }

    /** Whether the calling thread is one of the delivery threads (it must not wait for them). */
    static boolean onDeliveryThread() {
        return Thread.currentThread().getName().startsWith(THREAD_PREFIX + "-");
    }

    /**
     * Drops what is not delivered yet, interrupts deliveries in progress, and waits (bounded, and
     * not on a delivery thread) until the threads have ended. Idempotent.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        if (onDeliveryThread()) {
            return;
        }
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("A broker listener did not return within {} ms of close", CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(Lane lane) {
        try {
            pool.execute(lane);
        } catch (RejectedExecutionException e) {
            // Closed: nothing is delivered any more.
        }
    }

    /** Deliveries of one channel (or of control), run one at a time in the order offered. */
    private final class Lane implements Runnable {
        /** Null for the control lane, which never retires. */
        private final String channel;
        /** Guarded by this. */
        private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        /** A run of this lane is queued on the pool or running. Guarded by this. */
        private boolean scheduled;
        /** Ran dry and left {@link #byChannel}; takes nothing more. Guarded by this. */
        private boolean retired;

        Lane(String channel) {
            this.channel = channel;
        }

        synchronized boolean offer(Runnable delivery) {
            if (retired) {
                return false;
            }
            pending.addLast(delivery);
            if (!scheduled) {
                scheduled = true;
                schedule(this);
            }
            return true;
        }

        synchronized int size() {
            return pending.size();
        }

        /** The next delivery, or null: then the lane is idle (a channel's one retired). */
        private synchronized Runnable next() {
            Runnable delivery = pending.pollFirst();
            if (delivery == null) {
                scheduled = false;
                if (channel != null) {
                    // Only now, after its last delivery returned: a later lane of the channel
                    // cannot overtake this one.
                    retired = true;
                    byChannel.remove(channel, this);
                }
            }
            return delivery;
        }

        @Override
        public void run() {
            boolean idle = false;
            try {
                for (int i = 0; i < BATCH; i++) {
                    Runnable delivery = next();
                    if (delivery == null) {
                        idle = true;
                        return;
                    }
                    try {
                        delivery.run();
                    } catch (RuntimeException e) {
                        LOG.error(
                                "A broker listener failed in the lane of {}; its later deliveries go on",
                                describe(),
                                e);
                    }
                }
            } finally {
                if (!idle) {
                    // More to do (or an Error escaped a delivery): back in the pool's queue, behind
                    // the other lanes, still scheduled so that no second run overlaps this one.
                    schedule(this);
                }
            }
        }

        private String describe() {
            return channel == null ? "control commands" : "channel " + channel;
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, THREAD_PREFIX + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
