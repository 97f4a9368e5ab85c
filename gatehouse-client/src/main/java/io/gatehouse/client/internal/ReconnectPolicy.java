package io.gatehouse.client.internal;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;

/**
 * What the client does after a close, by the refusal table's client action (docs/protocol.md,
 * "Client actions"): retry with {@link Backoff}; refresh the credential and reconnect once (and if
 * the same refusal comes back, log in); log in; or stop. A close without a known refusal (a dropped
 * network, 1001, 1006) is a retry. Pure: it decides, the caller acts. Not thread-safe (the client
 * thread owns it).
 */
public final class ReconnectPolicy {
    /**
     * A decision: {@code action} and, for a reconnect, when. {@code refusal} is the server's reason,
     * or null.
     */
    public record Decision(ClientAction action, Duration delay, Refusal refusal) {}

    private final Backoff backoff;
    /** The refusal a refresh was last tried for since the last successful connect, or null. */
    private RefusalCode refreshedFor;

    public ReconnectPolicy(Backoff backoff) {
        this.backoff = backoff;
    }

    /** Decides after a close or failed connect; {@code refusal} is null when there was none. */
    public Decision onClose(Refusal refusal) {
        long retryAfter = refusal == null ? 0 : refusal.retryAfterMillis();
        ClientAction action =
                refusal == null ? ClientAction.RETRY : refusal.code().clientAction();
        return switch (action) {
            case RETRY -> new Decision(ClientAction.RETRY, backoff.next(retryAfter), refusal);
            case REFRESH_THEN_RETRY -> {
                if (refusal.code() == refreshedFor) {
                    yield new Decision(ClientAction.LOG_IN, Duration.ZERO, refusal);
                }
                refreshedFor = refusal.code();
                yield new Decision(ClientAction.REFRESH_THEN_RETRY, Duration.ofMillis(retryAfter), refusal);
            }
            case LOG_IN, STOP -> new Decision(action, Duration.ZERO, refusal);
        };
    }

    /** A connect succeeded: the backoff starts over, and a refresh may be tried again. */
    public void onConnected() {
        backoff.reset();
        refreshedFor = null;
    }

    /** The application asked to reconnect (after logging the user in again): start over. */
    public void onRestart() {
        onConnected();
    }
}
