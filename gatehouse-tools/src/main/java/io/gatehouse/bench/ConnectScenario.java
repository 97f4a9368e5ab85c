package io.gatehouse.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code connect}: first opens {@code warmupConnections}, each closed once established (so that
 * both JITs have compiled the handshake path; not reported), to {@code warmupTarget} when given
 * (another server: only the bench warms up, and a fresh server's first connections are measured),
 * then opens {@code connections} authenticated connections at {@code rate} a second (at most
 * {@code maxInFlight} handshakes outstanding) and keeps them all open until the last has its
 * {@code connection_established}; reports handshakes per second, handshake latency and, with the
 * server's pid, its RSS growth per open connection. Fails if any handshake failed.
 */
public final class ConnectScenario {
    /** After the warm-up at least this long, for the server to finish closing its connections. */
    static final Duration SETTLE_MIN = Duration.ofSeconds(1);
    /** ... and at most this long, for this JVM's compiler to finish what the warm-up made hot. */
    static final Duration SETTLE_MAX = Duration.ofSeconds(15);

    private static final long SETTLE_POLL_MILLIS = 250;

    /** @param warmupTarget where the warm-up connections go; null: the server under load */
    public record Settings(
            int connections, int warmupConnections, BenchTarget warmupTarget, double rate, int maxInFlight) {
        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", connections);
            out.put("warmup_connections", warmupConnections);
            if (warmupTarget != null) {
                out.put("warmup_url", "http://" + warmupTarget.host() + ":" + warmupTarget.port());
            }
            out.put("rate", rate);
            out.put("max_in_flight", maxInFlight);
            return out;
        }
    }

    private final Settings settings;

    public ConnectScenario(Settings settings) {
        this.settings = settings;
    }

    /**
     * Waits until the JIT compiler has been all but idle for a poll interval (past the minimum
     * wait): on one core, compiling the handshake path takes seconds of CPU that would otherwise
     * be taken from the measured ramp.
     */
    private static void settle() throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long end = System.nanoTime() + SETTLE_MAX.toNanos();
        Thread.sleep(SETTLE_MIN.toMillis());
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long compiledMillis = jit.getTotalCompilationTime();
        while (System.nanoTime() < end) {
            Thread.sleep(SETTLE_POLL_MILLIS);
            long now = jit.getTotalCompilationTime();
            if (now - compiledMillis <= SETTLE_POLL_MILLIS / 20) { // the compiler was busy 5 % of the time or less
                return;
            }
            compiledMillis = now;
        }
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("connect", settings.describe());
        // The warm-up has tokens (and users) of its own, so no measured connection replaces one of its.
        List<String> allTokens = setup.tokens().tokens(settings.connections() + settings.warmupConnections());
        List<String> tokens = allTokens.subList(0, settings.connections());
        if (settings.warmupConnections() > 0) {
            BenchClient warmupClient = settings.warmupTarget() == null
                    ? setup.client()
                    : setup.client().toward(settings.warmupTarget());
            Ramp warmup = new Ramp(
                    warmupClient, settings.rate(), settings.maxInFlight(), setup.progress(), "connect warm-up");
            try {
                // Each closes as soon as it is established, so a long warm-up holds few sockets.
                warmup.run(allTokens.subList(settings.connections(), allTokens.size()), i -> {
                    BenchConnection c = BenchConnection.idle();
                    c.ready().thenRun(c::close);
                    return c;
                });
            } finally {
                warmup.close();
                if (warmupClient != setup.client()) {
                    warmupClient.close();
                }
            }
            settle();
        }
        Long rssBefore = setup.residentBytes();
        Ramp ramp = new Ramp(setup.client(), settings.rate(), settings.maxInFlight(), setup.progress(), "connect");
        CpuSample cpuStart = CpuSample.take(setup.serverPid());
        try {
            ramp.run(tokens, i -> BenchConnection.idle());
            CpuUse cpu = CpuSample.take(setup.serverPid()).since(cpuStart);
            MemoryUse memory = setup.residentGrowth(rssBefore, ramp.healthy().size());
            Handshakes handshakes = Handshakes.of(ramp);
            if (handshakes.failed() > 0) {
                result.problem(handshakes.failedProblem());
            }
            return result.notes(setup.notes(cpu)).build(handshakes, null, memory, cpu);
        } finally {
            ramp.close();
        }
    }
}
