package io.gatehouse.bench;

import java.util.Map;

/**
 * What a fan-out run published and what its subscribers received. Latency is publish → deliver:
 * the publisher's {@code System.nanoTime()} in the payload to the subscriber's when the frame
 * reached its handler (one clock, one process), for publications after the warm-up. The delivery
 * rate counts measured deliveries from the first measured publication to the last delivery.
 */
public record Deliveries(
        int subscribers,
        int publications,
        int measuredPublications,
        double targetPublicationsPerSecond,
        double publicationsPerSecond,
        int publicationsFailed,
        Map<String, Integer> publishFailures,
        Percentiles publishAnswer,
        long expected,
        long received,
        long lost,
        long duplicates,
        double seconds,
        double perSecond,
        Percentiles latency) {

    String describe() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%,d subscribers, %,d publications (%,d measured) at %,.1f/s (asked %,.1f/s)",
                subscribers, publications, measuredPublications, publicationsPerSecond, targetPublicationsPerSecond));
        out.append(nl)
                .append(String.format(
                        "  deliveries: %,d of %,d, lost %,d, duplicates %,d; %,.0f deliveries/s over %.1f s",
                        received, expected, lost, duplicates, perSecond, seconds));
        out.append(nl).append("  publish → deliver: ").append(latency.describe());
        out.append(nl).append("  publish answered: ").append(publishAnswer.describe());
        publishFailures.forEach(
                (reason, n) -> out.append(nl).append(String.format("  publish failed x%,d: %s", n, reason)));
        return out.toString();
    }
}
