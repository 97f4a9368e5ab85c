package io.gatehouse.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #CAPACITY} samples, oldest overwritten first: 15 minutes at one a second (and
 * still 900 at another dashboard.stats_interval). Thread-safe: the sampler adds, connections read.
 */
final class SampleRing {
    static final int CAPACITY = 900;

    private final Sample[] slots;
    /** Guarded by this. */
    private int next;
    /** Guarded by this. */
    private int size;

    SampleRing(int capacity) {
        this.slots = new Sample[capacity];
    }

    synchronized void add(Sample s) {
        slots[next] = s;
        next = (next + 1) % slots.length;
        size = Math.min(size + 1, slots.length);
    }

    /** The samples kept, oldest first. */
    synchronized List<Sample> oldestFirst() {
        List<Sample> out = new ArrayList<>(size);
        int first = (next - size + slots.length) % slots.length;
        for (int i = 0; i < size; i++) {
            out.add(slots[(first + i) % slots.length]);
        }
        return out;
    }

    /** The newest sample, or null before the first. */
    synchronized Sample newest() {
        return size == 0 ? null : slots[(next - 1 + slots.length) % slots.length];
    }

    synchronized int size() {
        return size;
    }
}
