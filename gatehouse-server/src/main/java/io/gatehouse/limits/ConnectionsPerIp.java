package io.gatehouse.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client IP ({@code limits.connections_per_ip}), so that one host cannot take
 * the process's file descriptors. Every {@link #open} that returned true is matched by one
 * {@link #closed}; an IP is forgotten when its count returns to 0. Thread-safe.
 */
public final class ConnectionsPerIp {
    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    public ConnectionsPerIp(int max) {
        this.max = max;
    }

    /** Counts one more connection of {@code ip}: false, counting nothing, when it already has the maximum. */
    public boolean open(String ip) {
        boolean[] admitted = new boolean[1];
        open.compute(ip, (k, n) -> {
            int now = n == null ? 0 : n;
            admitted[0] = now < max;
            return admitted[0] ? now + 1 : n;
        });
        return admitted[0];
    }

    /** One connection of {@code ip} that {@link #open} admitted has closed. */
    public void closed(String ip) {
        open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The open connections of {@code ip} (for tests and the stats). */
    public int count(String ip) {
        return open.getOrDefault(ip, 0);
    }

    public int max() {
        return max;
    }
}
