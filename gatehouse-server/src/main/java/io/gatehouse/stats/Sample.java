package io.gatehouse.stats;

import io.gatehouse.protocol.RefusalCode;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One sample of the node's statistics (docs/protocol.md, "Live statistics"): gauges as they were
 * at {@code at}, rates per second over the interval before it. Immutable.
 *
 * @param upgradesRefused upgrades refused per second, by refusal code; only codes with a rate above 0
 * @param slowConsumers connections closed as slow consumers during the interval
 * @param heapMaxBytes the heap's maximum, or its committed size when the JVM sets none
 * @param cpuProcess cores the process used over the interval (0..N); NaN when the JVM cannot tell
 */
public record Sample(
        Instant at,
        int connections,
        double upgradesAccepted,
        Map<RefusalCode, Double> upgradesRefused,
        double messagesIn,
        double messagesOut,
        double deliveries,
        long slowConsumers,
        long accessLogQueue,
        long webhookQueue,
        long heapUsedBytes,
        long heapMaxBytes,
        double cpuProcess,
        long uptimeMillis) {
    private static final RefusalCode[] CODES = RefusalCode.values();

    /** What is read, not counted: the values of a sample that are no rate. */
    record Gauges(
            Instant at,
            int connections,
            long accessLogQueue,
            long webhookQueue,
            long heapUsedBytes,
            long heapMaxBytes,
            long uptimeMillis) {}

    public Sample {
        upgradesRefused = upgradesRefused.isEmpty() ? Map.of() : Collections.unmodifiableMap(upgradesRefused);
    }

    /** The sample of the interval from {@code before} to {@code after}, with the gauges read at its end. */
    static Sample between(Totals before, Totals after, Gauges now) {
        long elapsed = after.nanos() - before.nanos();
        Map<RefusalCode, Double> refused = Map.of();
        for (int i = 0; i < CODES.length; i++) {
            double rate = Rates.perSecond(before.upgradesRefused()[i], after.upgradesRefused()[i], elapsed);
            if (rate > 0) {
                if (refused.isEmpty()) {
                    refused = new EnumMap<>(RefusalCode.class);
                }
                refused.put(CODES[i], rate);
            }
        }
        return new Sample(
                now.at(),
                now.connections(),
                Rates.perSecond(before.upgradesAccepted(), after.upgradesAccepted(), elapsed),
                refused,
                Rates.perSecond(before.messagesIn(), after.messagesIn(), elapsed),
                Rates.perSecond(before.messagesOut(), after.messagesOut(), elapsed),
                Rates.perSecond(before.deliveries(), after.deliveries(), elapsed),
                Rates.increase(before.slowConsumers(), after.slowConsumers()),
                now.accessLogQueue(),
                now.webhookQueue(),
                now.heapUsedBytes(),
                now.heapMaxBytes(),
                Rates.cores(before.cpuNanos(), after.cpuNanos(), elapsed),
                now.uptimeMillis());
    }
}
