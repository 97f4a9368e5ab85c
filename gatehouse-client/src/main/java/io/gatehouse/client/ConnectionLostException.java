package io.gatehouse.client;

import io.gatehouse.protocol.Refusal;

/**
 * A request got no reply because its connection ended: it dropped after the request was sent (the
 * request may or may not have taken effect; the client never sends it twice, so a publish is never
 * doubled), or the client stopped or was closed before it could be sent. {@link #refusal()} is the
 * server's reason when it gave one.
 */
public final class ConnectionLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;

    public ConnectionLostException(String message, Refusal refusal) {
        super(refusal == null ? message : message + " (" + refusal.code() + ")", null, false, false);
        this.refusal = refusal;
    }

    /** The server's reason, or null. */
    public Refusal refusal() {
        return refusal;
    }
}
