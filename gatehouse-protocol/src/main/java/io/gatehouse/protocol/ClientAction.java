package io.gatehouse.protocol;

/**
 * What a client does when the server refuses it: the last column of the refusal table (SPEC §3,
 * docs/protocol.md). Every client (the Java client, the browser client) follows this and nothing
 * else, so that a refusal is handled the same way everywhere.
 */
public enum ClientAction {
    /**
     * Reconnect with exponential full-jitter backoff, never earlier than the refusal's
     * {@code retry_after_ms} when it has one. Also what a client does after a close that carries no
     * refusal code (a dropped network, a 1001 going away).
     */
    RETRY,
    /**
     * Obtain a fresh credential (a new token from the application, a new CSRF token) and reconnect
     * once with it. If the same refusal comes back, treat it as {@link #LOG_IN}.
     */
    REFRESH_THEN_RETRY,
    /**
     * Stop: authentication failed and retrying the same credential cannot help. The application
     * must log the user in again (the client's auth-error callback).
     */
    LOG_IN,
    /**
     * Stop for any other reason: replaced by a newer connection of the same instance, disconnected
     * by the server, a message too big, a client bug. Reported to the application, never retried,
     * and never treated as a logout.
     */
    STOP;

    /** Whether a client reconnects by itself after this action (with or without a refresh first). */
    public boolean reconnects() {
        return this == RETRY || this == REFRESH_THEN_RETRY;
    }
}
