package io.gatehouse.protocol;

import java.util.Objects;

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
     */
    public String closeReason() {
        return retryAfterMillis > 0 ? code.name() + " retry_after_ms=" + retryAfterMillis : code.name();
    }

    /** Thrown where a refusal must cross a stack that only knows exceptions (futures, parsers). */
    public RefusalException asException() {
        return new RefusalException(this);
    }
}
