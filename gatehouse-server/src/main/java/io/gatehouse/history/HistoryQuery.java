package io.gatehouse.history;

/**
 * Which kept publications a history read returns, oldest first: with a {@code since} offset, the
 * first {@code limit} after it (to page forward, or to recover); without one (since &lt; 0), the
 * newest {@code limit}.
 */
public record HistoryQuery(long since, int limit) {
    public HistoryQuery {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
    }

    /** Everything kept after {@code offset}. */
    public static HistoryQuery after(long offset) {
        return new HistoryQuery(Math.max(0, offset), Integer.MAX_VALUE);
    }

    public static HistoryQuery after(long offset, int limit) {
        return new HistoryQuery(Math.max(0, offset), limit);
    }

    /** The newest {@code limit} kept publications. */
    public static HistoryQuery newest(int limit) {
        return new HistoryQuery(-1, limit);
    }

    public boolean hasSince() {
        return since >= 0;
    }
}
