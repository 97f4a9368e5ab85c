package io.gatehouse;

/** Whether the node is draining for shutdown: new upgrades are then refused with 503 SERVER_SHUTTING_DOWN. */
public final class Lifecycle {
    private volatile boolean shuttingDown;

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    void beginShutdown() {
        shuttingDown = true;
    }
}
