package io.gatehouse.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code idle}: opens {@code connections} authenticated connections, holds them for
 * {@code hold}, answering the server's pings and sending nothing else, and reports, with the
 * server's pid, its RSS and (for a JVM) live heap per connection: before the first connection
 * and at the end of the hold, every connection still open. Fails if a handshake failed or a
 * connection was dropped during the hold.
 */
public final class IdleScenario {
    private static final long POLL_MILLIS = 100;

    public record Settings(int connections, double rate, int maxInFlight, Duration hold) {
        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", connections);
            out.put("rate", rate);
            out.put("max_in_flight", maxInFlight);
            out.put("hold_seconds", hold.toSeconds());
            return out;
        }
    }

    private final Settings settings;

    public IdleScenario(Settings settings) {
        this.settings = settings;
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("idle", settings.describe());
        List<String> tokens = setup.tokens().tokens(settings.connections());
        ProcessMemory server = setup.server();
        // RSS first: the heap reading runs a full collection, which may hand memory back.
        Long rssBefore = setup.residentBytes();
        OptionalLong heapBefore = server == null ? OptionalLong.empty() : server.liveHeapBytes();
        Ramp ramp = new Ramp(setup.client(), settings.rate(), settings.maxInFlight(), setup.progress(), "idle");
        try {
            ramp.run(tokens, i -> BenchConnection.idle());
            Handshakes handshakes = Handshakes.of(ramp);
            CpuSample cpuStart = CpuSample.take(setup.serverPid());
            long holdEnd = System.nanoTime() + settings.hold().toNanos();
            while (System.nanoTime() < holdEnd) {
                long left = holdEnd - System.nanoTime();
                setup.progress()
                        .update(() -> String.format(
                                "idle: holding %,d connections, %d s left",
                                ramp.healthy().size(), Duration.ofNanos(left).toSeconds()));
                Thread.sleep(
                        Math.min(POLL_MILLIS, Math.max(1, Duration.ofNanos(left).toMillis())));
            }
            CpuUse cpu = CpuSample.take(setup.serverPid()).since(cpuStart);
            int open = ramp.healthy().size();
            MemoryUse memory = null;
            result.notes(setup.notes(null));
            if (server != null) {
                setup.progress().update(() -> "idle: reading the server's memory");
                long rssAfter = server.residentBytes();
                OptionalLong heapAfter = heapBefore.isPresent() ? server.liveHeapBytes() : OptionalLong.empty();
                boolean heap = heapBefore.isPresent() && heapAfter.isPresent();
                memory = new MemoryUse(
                        server.pid(),
                        open,
                        rssBefore,
                        rssAfter,
                        heap ? heapBefore.getAsLong() : null,
                        heap ? heapAfter.getAsLong() : null);
                if (!heap) {
                    result.note(
                            "no heap figures: pid " + server.pid() + " is not a JVM that jcmd can attach to; RSS only");
                }
            }
            if (handshakes.failed() > 0) {
                result.problem(handshakes.failedProblem());
            }
            List<BenchConnection> dropped = ramp.dropped();
            if (!dropped.isEmpty()) {
                result.problem(String.format(
                        "%,d of %,d connections were dropped during the hold: %s",
                        dropped.size(), handshakes.succeeded(), Ramp.failures(dropped)));
            }
            return result.build(handshakes, null, memory, cpu);
        } finally {
            ramp.close();
        }
    }
}
