package io.gatehouse.bench;

/**
 * A fixed schedule: {@code total} events at {@code perSecond}, the first at once. The caller asks
 * how many should have started by now and starts the difference, so a late wake-up is caught up
 * rather than lost, and the schedule never drifts.
 */
record Pacer(double perSecond, long total) {
    Pacer {
        if (!(perSecond > 0) || total < 0) {
            throw new IllegalArgumentException(
                    "a pacer needs a positive rate and a count, not " + perSecond + "/s and " + total);
        }
    }

    /** How many events are due {@code elapsedNanos} after the start: 1 at 0, at most {@code total}. */
    long dueAfter(long elapsedNanos) {
        if (elapsedNanos < 0) {
            return 0;
        }
        double due = 1 + Math.floor(perSecond * elapsedNanos / Rate.NANOS_PER_SECOND);
        return (long) Math.min(total, due);
    }

    /** When event {@code index} (from 0) is due, in nanoseconds after the start. */
    long startOf(long index) {
        return (long) Math.ceil(index * Rate.NANOS_PER_SECOND / perSecond);
    }

    /** The whole schedule's length: when the last event is due. */
    long spanNanos() {
        return total == 0 ? 0 : startOf(total - 1);
    }
}
