package io.gatehouse.connection;

/**
 * Counts protocol violations in a sliding window: the {@value #LIMIT}th within a minute means the
 * client is broken, and the connection closes with 4400 (SPEC §4). Confined to one thread.
 */
final class ViolationCounter {
    static final int LIMIT = 10;
    static final long WINDOW_NANOS = 60_000_000_000L;

    /** The times of the last {@link #LIMIT} violations, as a ring. */
    private final long[] times = new long[LIMIT];

    private int count;
    private int next;

    /** Records one violation at {@code nanos}; true when it is the LIMITth within the window. */
    boolean record(long nanos) {
        times[next] = nanos;
        next = (next + 1) % LIMIT;
        count = Math.min(count + 1, LIMIT);
        // With the ring full, the slot after the newest holds the oldest of the last LIMIT.
        return count == LIMIT && nanos - times[next] < WINDOW_NANOS;
    }
}
