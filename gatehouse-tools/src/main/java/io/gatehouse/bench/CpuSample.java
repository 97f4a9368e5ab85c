package io.gatehouse.bench;

import java.time.Duration;
import java.util.OptionalLong;

/** The CPU time the server (when its pid is known) and the bench have used so far; two samples give a {@link CpuUse}. */
record CpuSample(long wallNanos, long serverCpuNanos, long benchCpuNanos) {
    private static final long UNKNOWN = -1;

    static CpuSample take(OptionalLong serverPid) {
        long server = serverPid.isEmpty()
                ? UNKNOWN
                : ProcessHandle.of(serverPid.getAsLong())
                        .flatMap(p -> p.info().totalCpuDuration())
                        .map(Duration::toNanos)
                        .orElse(UNKNOWN);
        long bench = ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElse(0L);
        return new CpuSample(System.nanoTime(), server, bench);
    }

    CpuUse since(CpuSample start) {
        double wall = wallNanos - start.wallNanos;
        Double server = serverCpuNanos == UNKNOWN || start.serverCpuNanos == UNKNOWN
                ? null
                : (serverCpuNanos - start.serverCpuNanos) / wall;
        return new CpuUse(wall / Rate.NANOS_PER_SECOND, server, (benchCpuNanos - start.benchCpuNanos) / wall);
    }
}
