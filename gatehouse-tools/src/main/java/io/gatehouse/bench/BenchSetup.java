package io.gatehouse.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What every scenario runs with: the server, the load client, the credentials, the server's
 * process when its pid was given (null otherwise), and the progress line.
 */
public record BenchSetup(
        BenchTarget target, BenchClient client, TokenSource tokens, ProcessMemory server, ProgressLine progress) {
    /** At or above this share of its cores the bench is likely measuring itself. */
    static final double BUSY_BENCH_SHARE = 0.9;

    OptionalLong serverPid() {
        return server == null ? OptionalLong.empty() : OptionalLong.of(server.pid());
    }

    /** Starts the result of {@code scenario}, run now with {@code settings}. */
    BenchResult.Builder begin(String scenario, Map<String, Object> settings) {
        return new BenchResult.Builder(scenario, target.url(), Instant.now().toString(), settings, clientDescription());
    }

    /** The server's RSS now, or null without its pid. */
    Long residentBytes() throws IOException {
        return server == null ? null : server.residentBytes();
    }

    /**
     * The server's RSS growth from {@code rssBefore} to now over {@code connections} open ones,
     * without heap figures; null without its pid.
     */
    MemoryUse residentGrowth(Long rssBefore, int connections) throws IOException {
        return rssBefore == null
                ? null
                : new MemoryUse(server.pid(), connections, rssBefore, server.residentBytes(), null, null);
    }

    /** The load client, as the result reports it. */
    Map<String, Object> clientDescription() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("protocol", client.protocol().optionName());
        out.put("threads", client.threads());
        out.put("transport", client.transport());
        out.put("source_addresses", client.sourceAddresses());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        return out;
    }

    /** What the reader of the figures must know about where they came from; none of it fails the run. */
    List<String> notes(CpuUse cpu) {
        List<String> notes = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        if (cpu != null && cpu.benchCores() >= BUSY_BENCH_SHARE * cores) {
            notes.add(String.format(
                    "the bench used %.2f of its %d cores: the figures may be the bench's limit, not the" + " server's",
                    cpu.benchCores(), cores));
        }
        if (server != null && server.pid() == ProcessHandle.current().pid()) {
            notes.add("the server runs in the bench's own process: its memory and CPU include the bench's");
        }
        return notes;
    }
}
