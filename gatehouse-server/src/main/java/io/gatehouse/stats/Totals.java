package io.gatehouse.stats;

/**
 * The node's monotonic counters read at one moment ({@code nanos}, of {@link System#nanoTime}):
 * two of them, an interval apart, make the rates of a {@link Sample}.
 *
 * @param upgradesRefused refused upgrade attempts, indexed by refusal code ordinal
 * @param cpuNanos CPU time of the process, negative when the JVM cannot tell
 */
record Totals(
        long nanos,
        long upgradesAccepted,
        long[] upgradesRefused,
        long messagesIn,
        long messagesOut,
        long deliveries,
        long slowConsumers,
        long cpuNanos) {}
