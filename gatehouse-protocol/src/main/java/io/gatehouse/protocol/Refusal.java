package io.gatehouse.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * A refusal as a value: its {@link RefusalCode} and a short, safe, actionable hint. Never holds a
 * secret, a stack trace, or whether a user exists.
 */
public record Refusal(RefusalCode code, String hint, long retryAfterMillis) {

    /** The longest close reason the WebSocket protocol allows, in bytes. */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    public Refusal {
        Objects.requireNonNull(code, "code");
        hint = hint == null ? code.defaultHint() : hint;
    }

    public Refusal(RefusalCode code, String hint) {
        this(code, hint, 0);
    }

    /** This refusal with a pacing hint: the client should wait {@code millis} before trying again. */
    public Refusal retryAfter(long millis) {
        return new Refusal(code, hint, millis);
    }

    /**
     * The reason of a close frame: the code, optionally followed by a pacing hint
     * ({@code RATE_LIMITED retry_after_ms=4000}). Clients honour the hint before their own backoff.
     * This format is part of the contract: {@link #fromCloseReason} reads it back.
     */
    public String closeReason() {
        return retryAfterMillis > 0 ? code.name() + RETRY_AFTER + retryAfterMillis : code.name();
    }

    private static final String RETRY_AFTER = " retry_after_ms=";

    /**
     * The refusal a close frame's reason names ({@code CODE} or {@code CODE retry_after_ms=N}), with
     * the code's default hint; empty when the reason is not in that format (a close by a proxy, an
     * older server, a code this client does not know).
     */
    public static Optional<Refusal> fromCloseReason(String reason) {
        if (reason == null || reason.isEmpty()) {
            return Optional.empty();
        }
        int space = reason.indexOf(' ');
        String name = space < 0 ? reason : reason.substring(0, space);
        long retryAfter = 0;
        if (space >= 0) {
            if (!reason.startsWith(RETRY_AFTER, space)) {
                return Optional.empty();
            }
            try {
                retryAfter = Long.parseLong(reason.substring(space + RETRY_AFTER.length()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (retryAfter < 0) {
                return Optional.empty();
            }
        }
        long millis = retryAfter;
        return RefusalCode.fromName(name).map(c -> new Refusal(c, c.defaultHint(), millis));
    }

    /** Thrown where a refusal must cross a stack that only knows exceptions (futures, parsers). */
    public RefusalException asException() {
        return new RefusalException(this);
    }
}
