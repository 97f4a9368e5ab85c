package io.gatehouse.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies in nanoseconds, recorded from any thread (each event loop records its own
 * connections) and read once at the end. Three significant digits: a 38.04 ms value is kept as
 * 38.0 ms.
 */
final class LatencyRecorder {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    /** Everything taken out of the recorder so far. Guarded by this. */
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);

    /** Any thread; a negative value (which two readings of one monotonic clock cannot give) counts as 0. */
    void record(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
    }

    /** Everything recorded so far. */
    synchronized Histogram histogram() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    Percentiles percentiles() {
        return Percentiles.ofNanos(histogram());
    }
}
