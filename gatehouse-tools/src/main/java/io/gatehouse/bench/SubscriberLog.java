package io.gatehouse.bench;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one fan-out subscriber received: which publications (by {@code seq}, so publications
 * answered out of order by concurrent publish requests still count once), how many twice, and
 * when the last arrived. Publications before {@code firstMeasuredSeq} are warm-up: checked for
 * loss, not timed. Written by its connection's event loop only; read by the scenario thread.
 */
final class SubscriberLog {
    private final int publications;
    private final int firstMeasuredSeq;
    private final LatencyRecorder latency;
    /** Deliveries of all subscribers, for the progress line. */
    private final LongAdder allDeliveries;

    /** Only accessed by the event loop. */
    private final BitSet seen;

    private final AtomicInteger distinct = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger outOfRange = new AtomicInteger();
    private volatile long lastMeasuredNanos;

    SubscriberLog(int publications, int firstMeasuredSeq, LatencyRecorder latency, LongAdder allDeliveries) {
        this.publications = publications;
        this.firstMeasuredSeq = firstMeasuredSeq;
        this.latency = latency;
        this.allDeliveries = allDeliveries;
        this.seen = new BitSet(publications);
    }

    /** A publication arrived at {@code receivedNanos}; on the event loop. */
    void delivered(long seq, long sentNanos, long receivedNanos) {
        allDeliveries.increment();
        if (seq < 0 || seq >= publications) {
            outOfRange.incrementAndGet();
            return;
        }
        int index = (int) seq;
        if (seen.get(index)) {
            duplicates.incrementAndGet();
            return;
        }
        seen.set(index);
        distinct.incrementAndGet();
        if (seq >= firstMeasuredSeq) {
            latency.record(receivedNanos - sentNanos);
            lastMeasuredNanos = receivedNanos;
        }
    }

    /** Every publication has arrived. */
    boolean complete() {
        return distinct.get() == publications;
    }

    int distinct() {
        return distinct.get();
    }

    int lost() {
        return publications - distinct.get();
    }

    /** Publications received more than once, and frames with a seq this run never sent. */
    int duplicates() {
        return duplicates.get() + outOfRange.get();
    }

    /** When the last measured publication arrived ({@code System.nanoTime()}), or 0. */
    long lastMeasuredNanos() {
        return lastMeasuredNanos;
    }
}
