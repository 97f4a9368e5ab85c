package io.gatehouse.bench;

/** Events per second from a count and the nanoseconds they took. */
final class Rate {
    static final double NANOS_PER_SECOND = 1e9;

    private Rate() {}

    /** {@code count} over {@code elapsedNanos}, per second; 0 when no time has passed. */
    static double perSecond(long count, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : count * NANOS_PER_SECOND / elapsedNanos;
    }
}
