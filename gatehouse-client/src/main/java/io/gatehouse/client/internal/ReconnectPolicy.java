package io.gatehouse.client.internal;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the client does after a close, by the refusal table's client action (docs/protocol.md,
 * "Client actions"): retry with {@link Backoff}; refresh the credential and reconnect once (and if
 * the same refusal comes back, log in); log in; or stop. A close without a known refusal (a dropped
 * network, 1001, 1006) is a retry. Pure apart from its clock: it decides, the caller acts. Not
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
    /** The refusal a refresh was last tried for since the last successful connect, or null. */
    private RefusalCode refreshedFor;
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
        if (connectedAtNanos != NOT_CONNECTED && nanoClock.getAsLong() - connectedAtNanos >= stableAfterNanos) {
            backoff.reset();
        }
        connectedAtNanos = NOT_CONNECTED;
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

    /**
     * A connect succeeded: a refresh may be tried again, and the backoff starts over once this
     * connection has lasted {@link #STABLE_AFTER}.
     */
    public void onConnected() {
        refreshedFor = null;
        connectedAtNanos = nanoClock.getAsLong();
    }

    /** The application asked to reconnect (after logging the user in again): start over. */
    public void onRestart() {
        backoff.reset();
        refreshedFor = null;
        connectedAtNanos = NOT_CONNECTED;
    }
}
