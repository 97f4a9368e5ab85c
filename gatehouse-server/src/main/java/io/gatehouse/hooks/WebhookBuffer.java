package io.gatehouse.hooks;

import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events that may be dropped (connection.*, presence.*), on their way from the event loops to the
 * outbox: {@link #offer} never blocks, and one thread writes what it takes in batches of up to
 * {@value #BATCH}, one transaction each. While the database is down the thread keeps its batch and
 * retries with backoff; the buffer fills, and what does not fit is refused (the caller drops and
 * counts it). {@link #close} writes what is held, waiting at most {@link #FLUSH} for the database.
 */
final class WebhookBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookEvents.class);
    static final int BATCH = 500;
    static final Duration FLUSH = Duration.ofSeconds(5);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WebhookStore store;
    private final ArrayBlockingQueue<WebhookEvent> queue;
    /** Pending events in the database, as this node knows it; raised by each write. */
    private final AtomicLong pending;

    private final Runnable written;
    private final AtomicInteger held = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closed;
    private volatile long flushDeadlineNanos;
    /** Only the writer thread. */
    private final List<WebhookEvent> batch = new ArrayList<>(BATCH);

    WebhookBuffer(WebhookStore store, int capacity, AtomicLong pending, Runnable written) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.pending = pending;
        this.written = written;
        this.writer = new Thread(this::writeLoop, "gatehouse-webhook-writer");
        this.writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /** False, with nothing held, when the buffer is full or closed. Never blocks. */
    boolean offer(WebhookEvent e) {
        if (closed || !queue.offer(e)) {
            return false;
        }
        held.incrementAndGet();
        return true;
    }

    /** Events held and not yet written (counted from the offer to the write, so never between the two). */
    int held() {
        return held.get();
    }

    void close() {
        if (closed) {
            return;
        }
        flushDeadlineNanos = System.nanoTime() + FLUSH.toNanos();
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(FLUSH.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive() || held() > 0) {
            LOG.warn(
                    "{} webhook events (connection.*, presence.*) were not written: the database did not take them"
                            + " before shutdown",
                    held());
        }
    }

    private void writeLoop() {
        long backoff = 0;
        while (true) {
            if (batch.isEmpty()) {
                try {
                    WebhookEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        batch.add(first);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            queue.drainTo(batch, BATCH - batch.size());
            if (batch.isEmpty()) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                store.insert(batch);
                pending.addAndGet(batch.size());
                held.addAndGet(-batch.size());
                batch.clear();
                backoff = 0;
                written.run();
            } catch (RuntimeException e) {
                if (backoff == 0) {
                    LOG.warn("Could not write {} webhook events; retrying with backoff", batch.size(), e);
                }
                if (closed && System.nanoTime() - flushDeadlineNanos >= 0) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoff * 2));
                LockSupport.parkNanos(this, backoff);
            }
        }
    }
}
