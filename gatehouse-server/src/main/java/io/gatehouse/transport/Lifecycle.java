package io.gatehouse.transport;

/** Whether the node is draining for shutdown: new upgrades are then refused with 503 SERVER_SHUTTING_DOWN. */
public final class Lifecycle {
    private volatile boolean shuttingDown;

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** From now on, upgrades are refused; open connections are the caller's to close. */
    public void beginShutdown() {
        shuttingDown = true;
    }
}
