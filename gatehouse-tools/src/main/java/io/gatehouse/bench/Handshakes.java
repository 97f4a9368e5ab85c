package io.gatehouse.bench;

import java.util.Map;

/**
 * How the connections of a run opened: how many were attempted and became ready, the rate from
 * the first connect to the last {@code connection_established}, each handshake's latency (TCP
 * connect started → {@code connection_established} received), and why the others failed.
 */
public record Handshakes(
        int attempted,
        int succeeded,
        int failed,
        double seconds,
        double perSecond,
        Percentiles latency,
        Map<String, Integer> failures) {

    static Handshakes of(Ramp ramp) {
        int attempted = ramp.connections().size();
        int succeeded = ramp.ready();
        return new Handshakes(
                attempted,
                succeeded,
                attempted - succeeded,
                ramp.elapsedNanos() / Rate.NANOS_PER_SECOND,
                Rate.perSecond(ramp.handshakeLatency().histogram().getTotalCount(), ramp.elapsedNanos()),
                ramp.handshakeLatency().percentiles(),
                ramp.failures());
    }

    /** The problem failed handshakes make of a run: "N of M handshakes failed". */
    String failedProblem() {
        return String.format("%,d of %,d handshakes failed", failed, attempted);
    }

    String describe() {
        StringBuilder out = new StringBuilder(String.format(
                "%,d of %,d connections established in %.2f s: %,.0f handshakes/s",
                succeeded, attempted, seconds, perSecond));
        out.append(System.lineSeparator()).append("  handshake latency: ").append(latency.describe());
        failures.forEach((reason, n) ->
                out.append(System.lineSeparator()).append(String.format("  failed x%,d: %s", n, reason)));
        return out.toString();
    }
}
