package io.gatehouse.bench;

/**
 * CPU time used during a window, in cores (CPU seconds per wall second): 1.0 is one core busy the
 * whole time. A bench near its own core count is measuring itself, not the server. The server's
 * share is null without {@code --pid}; when the server runs inside the bench's own process, both
 * are the same figure.
 */
public record CpuUse(double seconds, Double serverCores, double benchCores) {
    String describe() {
        return String.format(
                "cpu over %.1f s: server %s cores, bench %.2f cores",
                seconds, serverCores == null ? "?" : String.format("%.2f", serverCores), benchCores);
    }
}
