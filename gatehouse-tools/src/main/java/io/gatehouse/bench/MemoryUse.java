package io.gatehouse.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The server's memory before the connections opened and while they were all open, and the
 * difference per connection. The heap figures are null when the server is not a JVM (or could not
 * be asked).
 */
public record MemoryUse(
        long pid, int connections, long rssBeforeBytes, long rssAfterBytes, Long heapBeforeBytes, Long heapAfterBytes) {

    /** RSS growth per open connection, in bytes. */
    @JsonProperty("rss_per_connection_bytes")
    public double rssPerConnectionBytes() {
        return perConnection(rssBeforeBytes, rssAfterBytes, connections);
    }

    /** Live-heap growth per open connection, in bytes, or null without heap figures. */
    @JsonProperty("heap_per_connection_bytes")
    public Double heapPerConnectionBytes() {
        return heapBeforeBytes == null || heapAfterBytes == null
                ? null
                : perConnection(heapBeforeBytes, heapAfterBytes, connections);
    }

    /** {@code (after - before) / connections}; 0 with no connections. */
    static double perConnection(long before, long after, int connections) {
        return connections <= 0 ? 0 : (double) (after - before) / connections;
    }

    String describe() {
        String rss = String.format(
                "server RSS %s → %s, %.1f KiB per connection (%,d open, pid %d)",
                mib(rssBeforeBytes), mib(rssAfterBytes), rssPerConnectionBytes() / 1024, connections, pid);
        if (heapPerConnectionBytes() == null) {
            return rss;
        }
        return rss
                + System.lineSeparator()
                + String.format(
                        "  server live heap %s → %s, %.1f KiB per connection",
                        mib(heapBeforeBytes), mib(heapAfterBytes), heapPerConnectionBytes() / 1024);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
