package io.gatehouse.history;

import java.time.Duration;

/**
 * How much history a channel keeps: at most {@code size} publications, none older than
 * {@code ttl} (namespace keys {@code history_size} and {@code history_ttl}). A size of 0 or a zero
 * ttl keeps none; offsets are assigned all the same.
 */
public record HistoryRetention(int size, Duration ttl) {
    public static final HistoryRetention NONE = new HistoryRetention(0, Duration.ZERO);

    public boolean keepsAny() {
        return size > 0 && !ttl.isZero() && !ttl.isNegative();
    }
}
