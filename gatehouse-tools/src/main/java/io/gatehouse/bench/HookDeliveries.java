package io.gatehouse.bench;

import java.util.Map;

/**
 * What a hooks run raised and what its receiver got: connections opened and closed (each raising
 * {@code connection.opened} and {@code connection.closed}), the events of this run received
 * (distinct by event id) per second from the first to the last, duplicates, refused signatures,
 * and the lag from each event's {@code created_at} to its arrival.
 *
 * @param generationSeconds how long connections were opened and closed
 * @param raised events this run should have raised: two per connection established
 * @param raisedPerSecond raised over generationSeconds
 * @param seconds from the first event of this run received to the last
 * @param duringGeneration events of this run received before the generation ended
 * @param drainSeconds from the end of the generation to the last event received
 * @param drainPerSecond events received after the generation ended over drainSeconds: the delivery
 *     rate of a backlog when nothing else competes for the server
 * @param unreadable signed deliveries whose body was not JSON
 * @param otherEvents events received that this run did not raise (earlier runs, other clients)
 * @param serverDropped {@code gatehouse_webhook_events_dropped_total} grown during the run, or null
 *     when {@code /metrics} could not be read
 */
public record HookDeliveries(
        int connections,
        double generationSeconds,
        long raised,
        double raisedPerSecond,
        long received,
        long missing,
        long duplicates,
        long badSignatures,
        long unreadable,
        long otherEvents,
        Map<String, Long> byType,
        double seconds,
        double perSecond,
        long duringGeneration,
        double drainSeconds,
        double drainPerSecond,
        Percentiles lag,
        Long serverDropped) {

    String describe() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%,d events raised in %.1f s (%,.0f/s) by %,d connections opening and closing",
                raised, generationSeconds, raisedPerSecond, connections));
        out.append(nl)
                .append(String.format(
                        "  received: %,d of %,d (missing %,d), %,.0f events/s over %.1f s (first to last)",
                        received, raised, missing, perSecond, seconds));
        out.append(nl)
                .append(String.format(
                        "  %,d while connections were opening and closing, then %,d in %.1f s: %,.0f events/s",
                        duringGeneration, received - duringGeneration, drainSeconds, drainPerSecond));
        out.append(nl)
                .append(String.format(
                        "  duplicates %,d, bad signatures %,d, events of other runs %,d %s",
                        duplicates, badSignatures, otherEvents, byType));
        out.append(nl).append("  created_at → received: ").append(lag.describe());
        if (serverDropped != null) {
            out.append(nl).append(String.format("  dropped by the server (hooks.max_queue): %,d", serverDropped));
        }
        return out.toString();
    }
}
