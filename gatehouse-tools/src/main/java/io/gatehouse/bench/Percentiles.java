package io.gatehouse.bench;

import org.HdrHistogram.Histogram;

/** The summary of a latency distribution, in milliseconds. */
public record Percentiles(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs, double meanMs) {
    static final double NANOS_PER_MILLI = 1e6;

    /** From a histogram of nanoseconds; all zero when it is empty. */
    public static Percentiles ofNanos(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(
                nanos.getTotalCount(),
                millis(nanos.getValueAtPercentile(50)),
                millis(nanos.getValueAtPercentile(99)),
                millis(nanos.getValueAtPercentile(99.9)),
                millis(nanos.getMaxValue()),
                nanos.getMean() / NANOS_PER_MILLI);
    }

    /** "p50 3.10 ms, p99 12.0 ms, p99.9 15.2 ms, max 20.1 ms". */
    public String describe() {
        return String.format(
                "p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms (%,d samples)",
                ms(p50Ms), ms(p99Ms), ms(p999Ms), ms(maxMs), count);
    }

    private static double millis(long nanos) {
        return nanos / NANOS_PER_MILLI;
    }

    /** Three significant digits, as the histogram keeps. */
    private static String ms(double value) {
        String format = value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f";
        return String.format(format, value);
    }
}
