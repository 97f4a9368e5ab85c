package io.gatehouse.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The churn scenario's two phases side by side: publish → deliver latency to the held connections
 * in the quiet phase and under churn, their p99 ratio, the churn connections as handshakes (each
 * connected, established and closed), the held connections dropped, and, with the server's pid,
 * its CPU in each phase and its RSS at the end of each.
 *
 * @param quietLatency deliveries of the quiet phase's publications (measured, after the warm-up)
 * @param churnLatency deliveries of the publications made while the churn ran
 * @param churn the churn connections: attempted, established, failed, per second, latency, reasons
 * @param quietServerCores server CPU in the quiet phase, in cores; null without --pid
 * @param rssQuietBytes server RSS at the end of the quiet phase; null without --pid
 */
public record ChurnPhases(
        int heldConnections,
        int heldDropped,
        int quietPublications,
        int churnPublications,
        double quietSeconds,
        double churnSeconds,
        Percentiles quietLatency,
        Percentiles churnLatency,
        double churnRateAsked,
        Handshakes churn,
        Double quietServerCores,
        Double churnServerCores,
        Long rssQuietBytes,
        Long rssChurnBytes) {

    /** p99 under churn ÷ p99 of the quiet phase; null when the quiet phase has no figure. */
    @JsonProperty("p99_ratio")
    public Double p99Ratio() {
        return quietLatency.p99Ms() > 0 && churnLatency.count() > 0
                ? churnLatency.p99Ms() / quietLatency.p99Ms()
                : null;
    }

    String describe() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder(String.format(
                "%,d held connections, %,d dropped; quiet %.1f s (%,d publications), churn %.1f s (%,d publications)",
                heldConnections, heldDropped, quietSeconds, quietPublications, churnSeconds, churnPublications));
        out.append(nl).append("  quiet: publish → deliver ").append(quietLatency.describe());
        out.append(nl).append("  churn: publish → deliver ").append(churnLatency.describe());
        Double ratio = p99Ratio();
        out.append(nl)
                .append(String.format(
                        "  p99 churn ÷ p99 quiet: %s", ratio == null ? "?" : String.format("%.2f", ratio)));
        out.append(nl)
                .append(String.format(
                        "  churn: %,d of %,d connections established and closed, %,d failed: %,.0f handshakes/s"
                                + " (asked %,.0f/s)",
                        churn.succeeded(), churn.attempted(), churn.failed(), churn.perSecond(), churnRateAsked));
        out.append(nl)
                .append("  churn handshake latency: ")
                .append(churn.latency().describe());
        churn.failures()
                .forEach((reason, n) -> out.append(nl).append(String.format("  churn failed x%,d: %s", n, reason)));
        if (quietServerCores != null || churnServerCores != null) {
            out.append(nl)
                    .append(String.format(
                            "  server cpu: quiet %s cores, churn %s cores",
                            cores(quietServerCores), cores(churnServerCores)));
        }
        if (rssQuietBytes != null && rssChurnBytes != null) {
            out.append(nl)
                    .append(String.format(
                            "  server RSS: %.1f MiB after quiet, %.1f MiB after churn",
                            rssQuietBytes / (1024.0 * 1024), rssChurnBytes / (1024.0 * 1024)));
        }
        return out.toString();
    }

    private static String cores(Double value) {
        return value == null ? "?" : String.format("%.2f", value);
    }
}
