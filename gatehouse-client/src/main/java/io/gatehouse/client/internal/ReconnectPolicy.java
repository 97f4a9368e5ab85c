package io.gatehouse.client.internal;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the client does after a close, by the refusal table's client action (docs/protocol.md,
 * "Client actions"): retry with {@link Backoff}; refresh the credential and reconnect once (and if
 * a refresh-then-retry refusal of any code comes back before a connect succeeds, log in); log in;
 * or stop. A close without a known refusal (a dropped network, 1001, 1006) is a retry, and so is
 * {@code CONNECTION_REPLACED} on a connect that never succeeded (the server still holds this
 * instance's old socket under {@code duplicate_session_policy: reject}). Pure apart from its clock: it decides, the caller acts. Not
 * thread-safe (the client thread owns it).
 *
 * <p>The backoff starts over only after a connection that stayed up {@link #STABLE_AFTER}: one the
 * server closes right after {@code connection_established} (4429 for a burst of resubscribes, say)
 * keeps backing off instead of reconnecting every half second forever.
 */
public final class ReconnectPolicy {
    /**
     * A decision: {@code action} and, for a reconnect, when. {@code refusal} is the server's reason,
     * or null.
     */
    public record Decision(ClientAction action, Duration delay, Refusal refusal) {}

    /** How long a connection must have lasted for the backoff to start over when it ends. */
    public static final Duration STABLE_AFTER = Duration.ofSeconds(5);

    private static final long NOT_CONNECTED = Long.MIN_VALUE;

    private final Backoff backoff;
    private final LongSupplier nanoClock;
    private final long stableAfterNanos;
    /** Whether a refresh was tried since the last successful connect (for any refusal). */
    private boolean refreshed;
    /** When the current connection was established, or {@link #NOT_CONNECTED}. */
    private long connectedAtNanos = NOT_CONNECTED;

    public ReconnectPolicy(Backoff backoff) {
        this(backoff, System::nanoTime, STABLE_AFTER);
    }

    /** With {@code nanoClock} (as {@link System#nanoTime()}) and {@code stableAfter}, for tests. */
    public ReconnectPolicy(Backoff backoff, LongSupplier nanoClock, Duration stableAfter) {
        this.backoff = backoff;
        this.nanoClock = nanoClock;
        this.stableAfterNanos = stableAfter.toNanos();
    }

    /** Decides after a close or failed connect; {@code refusal} is null when there was none. */
    public Decision onClose(Refusal refusal) {
        boolean established = connectedAtNanos != NOT_CONNECTED;
        if (established && nanoClock.getAsLong() - connectedAtNanos >= stableAfterNanos) {
            backoff.reset();
        }
        connectedAtNanos = NOT_CONNECTED;
        long retryAfter = refusal == null ? 0 : refusal.retryAfterMillis();
        ClientAction action =
                refusal == null ? ClientAction.RETRY : refusal.code().clientAction();
        if (!established && refusal != null && refusal.code() == RefusalCode.CONNECTION_REPLACED) {
            // duplicate_session_policy: reject, while the server still holds this instance's old
            // (half-open) socket: it lets go at its heartbeat timeout; nothing newer took over.
            action = ClientAction.RETRY;
        }
        return switch (action) {
            case RETRY -> new Decision(ClientAction.RETRY, backoff.next(retryAfter), refusal);
            case REFRESH_THEN_RETRY -> {
                if (refreshed) {
                    // Refresh once in all, whatever the code: two refusals taking turns must not
                    // make the client refresh and reconnect for ever.
                    yield new Decision(ClientAction.LOG_IN, Duration.ZERO, refusal);
                }
                refreshed = true;
                yield new Decision(ClientAction.REFRESH_THEN_RETRY, Duration.ofMillis(retryAfter), refusal);
            }
            case LOG_IN, STOP -> new Decision(action, Duration.ZERO, refusal);
        };
    }

    /**
     * A connect succeeded: a refresh may be tried again, and the backoff starts over once this
     * connection has lasted {@link #STABLE_AFTER}.
     */
    public void onConnected() {
        refreshed = false;
        connectedAtNanos = nanoClock.getAsLong();
    }

    /** The application asked to reconnect (after logging the user in again): start over. */
    public void onRestart() {
        backoff.reset();
        refreshed = false;
        connectedAtNanos = NOT_CONNECTED;
    }
}
