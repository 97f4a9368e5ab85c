package io.gatehouse.config;

/** A token bucket: {@code burst} at once, refilled at {@code ratePerSecond} (may be fractional). */
public record RateLimit(double ratePerSecond, int burst) {
    @Override
    public String toString() {
        return "{rate: " + ratePerSecond + ", burst: " + burst + "}";
    }
}
