package io.gatehouse.stats;

/**
 * The arithmetic of a sample: a rate is the increase of a monotonic counter over the interval,
 * per second. Counters only grow; one that reads lower than before (none does today) gives 0, not
 * a negative rate. Rates are rounded to thousandths, which keeps a history of 900 samples small.
 */
final class Rates {
    private static final double NANOS_PER_SECOND = 1e9;

    private Rates() {}

    /** Per second, of a counter that went from {@code before} to {@code after} in {@code elapsedNanos}. */
    static double perSecond(long before, long after, long elapsedNanos) {
        if (elapsedNanos <= 0 || after <= before) {
            return 0;
        }
        return round((after - before) * NANOS_PER_SECOND / elapsedNanos);
    }

    /** How much a counter grew; 0 if it did not. */
    static long increase(long before, long after) {
        return Math.max(0, after - before);
    }

    /**
     * Cores the process used: CPU nanoseconds over wall nanoseconds (2.0 is two cores busy). NaN when
     * either reading is unknown (negative, as the JVM reports a CPU time it cannot measure).
     */
    static double cores(long cpuBefore, long cpuAfter, long elapsedNanos) {
        if (cpuBefore < 0 || cpuAfter < 0) {
            return Double.NaN;
        }
        if (elapsedNanos <= 0 || cpuAfter <= cpuBefore) {
            return 0;
        }
        return round((cpuAfter - cpuBefore) / (double) elapsedNanos);
    }

    /** To thousandths. */
    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
